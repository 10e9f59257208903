#pragma once
// How a collective's ranks sit on the topology: which node each is in, whether every node holds
// the same number of them (what hierarchical algorithms need), and whether one NVSwitch with
// in-switch reduction joins them all (what NVLS needs).
#include <span>
#include <vector>

#include "topology/topology_graph.hpp"

namespace cs {

struct GroupLayout {
  // Ranks (indices into the group) per node, nodes in order of first appearance.
  std::vector<std::vector<std::size_t>> by_node;
  bool uniform = false;  // every rank is in a node and every node holds the same number of ranks
  std::size_t per_node() const { return by_node.empty() ? 0 : by_node.front().size(); }
  // The NVSwitch with in-switch reduction every rank links to directly, if there is one.
  VertexId nvls_switch = kNoVertex;
};

GroupLayout group_layout(const Topology& topo, std::span<const VertexId> group);

// The groups of a hierarchical all-reduce: per node (intra) and per local index (inter, one
// rank of each node, in node order).
std::vector<std::vector<VertexId>> intra_node_groups(const GroupLayout& layout, std::span<const VertexId> group);
std::vector<std::vector<VertexId>> inter_node_groups(const GroupLayout& layout, std::span<const VertexId> group);

}  // namespace cs
