#include "topology/explicit_topology.hpp"

#include <map>
#include <stdexcept>

namespace cs {

Topology build_explicit(const ExplicitTopologySpec& spec) {
  Topology topo;
  std::map<int, int> local_counts;  // per node, how many GPUs were numbered so far
  for (const auto& v : spec.vertices) {
    if (v.name.empty()) throw std::invalid_argument("explicit topology: a vertex has no name");
    VertexInfo info;
    info.kind = v.kind;
    info.name = v.name;
    info.node = v.node;
    info.in_switch_reduction = v.in_switch_reduction;
    if (v.kind == VertexKind::kGpu) info.local = local_counts[v.node]++;
    topo.add_vertex(std::move(info));
  }
  for (const auto& l : spec.links) {
    const auto a = topo.find(l.from);
    const auto b = topo.find(l.to);
    if (!a) throw std::invalid_argument("explicit topology: link from unknown vertex '" + l.from + "'");
    if (!b) throw std::invalid_argument("explicit topology: link to unknown vertex '" + l.to + "'");
    if (l.bidirectional)
      topo.add_link(*a, *b, l.kind, l.bandwidth_bytes_per_s,
                    l.reverse_bandwidth_bytes_per_s.value_or(l.bandwidth_bytes_per_s), l.latency);
    else
      topo.add_directed_link(*a, *b, l.kind, l.bandwidth_bytes_per_s, l.latency);
  }
  return topo;
}

}  // namespace cs
