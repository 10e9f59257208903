#include "sim/network/group_layout.hpp"

#include <map>

namespace cs {

GroupLayout group_layout(const Topology& topo, std::span<const VertexId> group) {
  GroupLayout out;
  std::map<int, std::size_t> slot;
  bool all_in_nodes = true;
  for (std::size_t r = 0; r < group.size(); ++r) {
    const int node = topo.vertex(group[r]).node;
    all_in_nodes = all_in_nodes && node >= 0;
    const auto [it, added] = slot.emplace(node, out.by_node.size());
    if (added) out.by_node.emplace_back();
    out.by_node[it->second].push_back(r);
  }
  out.uniform = all_in_nodes && !out.by_node.empty();
  for (const auto& ranks : out.by_node) out.uniform = out.uniform && ranks.size() == out.by_node.front().size();

  // NVLS: one switch with reduction that every rank has a direct link to.
  if (!group.empty()) {
    const auto& g = topo.graph();
    for (const auto& e : boost::make_iterator_range(boost::out_edges(group[0], g))) {
      const VertexId sw = g[e].to;
      if (topo.vertex(sw).kind != VertexKind::kNvSwitch || !topo.vertex(sw).in_switch_reduction) continue;
      bool all = true;
      for (const VertexId v : group) {
        bool linked = false;
        for (const auto& e2 : boost::make_iterator_range(boost::out_edges(v, g))) linked = linked || g[e2].to == sw;
        all = all && linked;
      }
      if (all) out.nvls_switch = sw;
      break;
    }
  }
  return out;
}

std::vector<std::vector<VertexId>> intra_node_groups(const GroupLayout& layout, std::span<const VertexId> group) {
  std::vector<std::vector<VertexId>> out;
  for (const auto& ranks : layout.by_node) {
    out.emplace_back();
    for (const std::size_t r : ranks) out.back().push_back(group[r]);
  }
  return out;
}

std::vector<std::vector<VertexId>> inter_node_groups(const GroupLayout& layout, std::span<const VertexId> group) {
  std::vector<std::vector<VertexId>> out(layout.per_node());
  for (std::size_t i = 0; i < out.size(); ++i)
    for (const auto& ranks : layout.by_node) out[i].push_back(group[ranks[i]]);
  return out;
}

}  // namespace cs
