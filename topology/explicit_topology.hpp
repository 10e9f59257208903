#pragma once
// A topology written out vertex by vertex and link by link, for fabrics no template covers
// (a lab rack, a torus, a test case). Links name their ends by vertex name.
#include <optional>
#include <string>
#include <vector>

#include "topology/topology_graph.hpp"

namespace cs {

struct ExplicitVertex {
  std::string name;
  VertexKind kind = VertexKind::kGpu;
  int node = -1;  // vertices of one server share a node id; routes never cross another node
  bool in_switch_reduction = false;
};

struct ExplicitLink {
  std::string from;
  std::string to;
  LinkKind kind = LinkKind::kNvLink;
  double bandwidth_bytes_per_s = 0;
  std::optional<double> reverse_bandwidth_bytes_per_s;  // unset: symmetric
  Time latency;
  bool bidirectional = true;
};

struct ExplicitTopologySpec {
  std::vector<ExplicitVertex> vertices;
  std::vector<ExplicitLink> links;
};

// Throws std::invalid_argument naming an unknown vertex or a bad link.
Topology build_explicit(const ExplicitTopologySpec& spec);

}  // namespace cs
