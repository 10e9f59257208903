#pragma once
// The aggregation tree of in-network reduction (NVIDIA SHARP streaming aggregation, what NCCL's
// CollNet algorithms use on InfiniBand): every rank streams its data up to one root switch; the
// switches on the way reduce what passes through them, so each link of the tree carries the data
// once up, however many ranks are below it, and the root multicasts the result back down the
// same tree. A rank therefore sends and receives its bytes once each (a ring: 2(n-1)/n times).
//
// The root is the switch on the group's longest route that every rank reaches in the fewest
// hops (a rail switch for a rail's ranks, a spine or core switch above a fat-tree's leaves);
// each rank's leg is its route to the root and back, as the subnet manager would build it.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "sim/network/collective_types.hpp"
#include "topology/router.hpp"

namespace cs {

struct SharpTree {
  VertexId root = kNoVertex;
  std::vector<RouteId> up, down;  // per rank: to the root, and the root's multicast back
  std::vector<LinkId> up_links, down_links;  // each link of the tree once per direction
  Time up_latency, down_latency;  // the longest leg each way
};

// The tree of `group`, or nullopt where SHARP cannot reduce it: fewer than two ranks, a rank
// whose way to the root leaves InfiniBand (Ethernet, or no network at all).
std::optional<SharpTree> sharp_tree(Router& router, std::span<const VertexId> group, std::uint32_t flow_label);

// Trees that run at once but share an aggregation resource take turns on it (documented limits,
// collective_types.hpp SharpGeneration): the most trees sharing one switch (Quantum) or one
// switch input port (Quantum-2). 1 when none share.
std::size_t sharp_turns(const Topology& topo, std::span<const SharpTree> trees, SharpGeneration generation);

}  // namespace cs
