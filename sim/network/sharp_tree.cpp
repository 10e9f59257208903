#include "sim/network/sharp_tree.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

namespace cs {

namespace {

// Each link of `routes` once, in first-seen order.
std::vector<LinkId> unique_links(const Router& router, const std::vector<RouteId>& routes) {
  std::vector<LinkId> out;
  std::unordered_set<LinkId> seen;
  for (const RouteId id : routes)
    for (const LinkId l : router.path(id).links)
      if (seen.insert(l).second) out.push_back(l);
  return out;
}

}  // namespace

std::optional<SharpTree> sharp_tree(Router& router, std::span<const VertexId> group, std::uint32_t flow_label) {
  if (group.size() < 2) return std::nullopt;
  const Topology& topo = router.topology();
  // The longest route from the first rank: the root lies on it.
  std::size_t far = 1;
  for (std::size_t j = 2; j < group.size(); ++j)
    if (router.hops(router.route_id(group[0], group[j], flow_label)) >
        router.hops(router.route_id(group[0], group[far], flow_label)))
      far = j;
  std::vector<VertexId> candidates;
  for (const LinkId l : router.route(group[0], group[far], flow_label).links) {
    const LinkInfo& info = topo.link(l);
    if (info.kind == LinkKind::kEthernet) return std::nullopt;
    if (topo.vertex(info.to).kind == VertexKind::kNetworkSwitch) candidates.push_back(info.to);
  }
  SharpTree tree;
  std::size_t best = std::numeric_limits<std::size_t>::max();
  for (const VertexId s : candidates) {
    std::size_t worst = 0;
    for (const VertexId g : group) worst = std::max(worst, router.hops(router.route_id(g, s, flow_label)));
    if (worst < best) best = worst, tree.root = s;
  }
  if (tree.root == kNoVertex) return std::nullopt;
  for (const VertexId g : group) {
    tree.up.push_back(router.route_id(g, tree.root, flow_label));
    tree.down.push_back(router.route_id(tree.root, g, flow_label));
    bool infiniband = false;
    for (const RouteId id : {tree.up.back(), tree.down.back()})
      for (const LinkId l : router.path(id).links) {
        if (topo.link(l).kind == LinkKind::kEthernet) return std::nullopt;
        infiniband = infiniband || topo.link(l).kind == LinkKind::kInfiniBand;
      }
    if (!infiniband) return std::nullopt;
    tree.up_latency = std::max(tree.up_latency, router.path(tree.up.back()).latency);
    tree.down_latency = std::max(tree.down_latency, router.path(tree.down.back()).latency);
  }
  tree.up_links = unique_links(router, tree.up);
  tree.down_links = unique_links(router, tree.down);
  return tree;
}

std::size_t sharp_turns(const Topology& topo, std::span<const SharpTree> trees, SharpGeneration generation) {
  if (generation == SharpGeneration::kNone) throw std::logic_error("sharp_turns: SHARP is off");
  // Keyed by switch (Quantum) or by the link into a switch (Quantum-2): trees using each.
  std::unordered_map<std::uint64_t, std::size_t> users;
  std::size_t turns = 1;
  for (const SharpTree& t : trees) {
    std::unordered_set<std::uint64_t> mine;
    for (const LinkId l : t.up_links) {
      const LinkInfo& info = topo.link(l);
      if (topo.vertex(info.to).kind != VertexKind::kNetworkSwitch) continue;
      mine.insert(generation == SharpGeneration::kQuantum ? std::uint64_t{info.to} : (std::uint64_t{1} << 40) + l);
    }
    for (const std::uint64_t k : mine) turns = std::max(turns, ++users[k]);
  }
  return turns;
}

}  // namespace cs
