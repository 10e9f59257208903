#include "topology/fabric_builder.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace cs {

namespace {

VertexId add_switch(Topology& topo, std::string name, int tier, int index) {
  VertexInfo info;
  info.kind = VertexKind::kNetworkSwitch;
  info.name = std::move(name);
  info.tier = tier;
  info.local = index;
  return topo.add_vertex(std::move(info));
}

// Spines needed so that `down_ports` ports at `port_rate` see the ratio, and the uplink rate
// that makes it exact: uplink = down_ports * port_rate / (ratio * spines).
struct Uplinks {
  int spines;
  double bytes_per_s;
};

Uplinks uplinks_for(int down_ports, double port_rate, double ratio, int spines_requested) {
  const int spines = spines_requested > 0
                         ? spines_requested
                         : std::max(1, static_cast<int>(std::ceil(down_ports / ratio - 1e-9)));
  return {spines, down_ports * port_rate / (ratio * spines)};
}

void build_leaf_spine(Topology& topo, const std::vector<VertexId>& nics, const FabricSpec& f, double rate) {
  const int ports = f.leaf_ports;
  const int leaves = static_cast<int>((nics.size() + ports - 1) / ports);
  std::vector<VertexId> leaf_ids;
  for (int l = 0; l < leaves; ++l) leaf_ids.push_back(add_switch(topo, "leaf" + std::to_string(l), 0, l));
  for (std::size_t i = 0; i < nics.size(); ++i)
    topo.add_link(nics[i], leaf_ids[i / ports], f.link_kind, rate, f.link_latency);
  if (leaves <= 1) return;
  const Uplinks up = uplinks_for(ports, rate, f.oversubscription, f.spines);
  std::vector<VertexId> spine_ids;
  for (int s = 0; s < up.spines; ++s) spine_ids.push_back(add_switch(topo, "spine" + std::to_string(s), 1, s));
  for (const VertexId leaf : leaf_ids)
    for (const VertexId spine : spine_ids) topo.add_link(leaf, spine, f.link_kind, up.bytes_per_s, f.link_latency);
}

void build_fat_tree(Topology& topo, const std::vector<VertexId>& nics, const FabricSpec& f, double rate,
                    int nics_per_node) {
  int k = f.fat_tree_k;
  if (k == 0) {
    // Edge switches hold whole nodes or an equal share of one (k/2 divides the node's NICs or
    // the reverse), as clusters are cabled: a node's rails never straddle edge switches
    // unevenly, and D-mod-K then keeps rail-aligned shifts collision-free.
    auto aligned = [&](int half) { return nics_per_node % half == 0 || half % nics_per_node == 0; };
    k = 2;
    while (static_cast<std::size_t>(k) * k * k / 4 < nics.size() || !aligned(k / 2)) k += 2;
  }
  if (k < 2 || k % 2) throw std::invalid_argument("fat-tree: k must be even and at least 2");
  if (static_cast<std::size_t>(k) * k * k / 4 < nics.size())
    throw std::invalid_argument("fat-tree: k=" + std::to_string(k) + " has " + std::to_string(k * k * k / 4) +
                                " host ports, fewer than the " + std::to_string(nics.size()) + " NICs");
  const int half = k / 2;
  const int hosts_per_pod = half * half;
  const int pods = static_cast<int>((nics.size() + hosts_per_pod - 1) / hosts_per_pod);  // only pods in use
  std::vector<VertexId> cores;
  for (int c = 0; c < half * half; ++c) cores.push_back(add_switch(topo, "core" + std::to_string(c), 2, c));
  for (int p = 0; p < pods; ++p) {
    std::vector<VertexId> edges, aggs;
    const std::string pod = "pod" + std::to_string(p) + ".";
    for (int e = 0; e < half; ++e) edges.push_back(add_switch(topo, pod + "edge" + std::to_string(e), 0, p * half + e));
    for (int a = 0; a < half; ++a) aggs.push_back(add_switch(topo, pod + "agg" + std::to_string(a), 1, p * half + a));
    for (int e = 0; e < half; ++e)
      for (int a = 0; a < half; ++a) topo.add_link(edges[e], aggs[a], f.link_kind, rate, f.link_latency);
    for (int a = 0; a < half; ++a)
      for (int c = 0; c < half; ++c) topo.add_link(aggs[a], cores[a * half + c], f.link_kind, rate, f.link_latency);
    for (int h = 0; h < hosts_per_pod; ++h) {
      const std::size_t i = static_cast<std::size_t>(p) * hosts_per_pod + h;
      if (i >= nics.size()) break;
      topo.add_link(nics[i], edges[h / half], f.link_kind, rate, f.link_latency);
    }
  }
}

void build_rail_optimized(Topology& topo, const std::vector<NodeVertices>& nodes, const FabricSpec& f, double rate) {
  const int rails = static_cast<int>(nodes.front().nics.size());
  const int n = static_cast<int>(nodes.size());
  const int group = f.rail_group_nodes > 0 ? f.rail_group_nodes : std::min(n, f.leaf_ports);
  const int groups = (n + group - 1) / group;
  std::vector<VertexId> leaves;
  for (int g = 0; g < groups; ++g)
    for (int r = 0; r < rails; ++r)
      leaves.push_back(add_switch(topo, "g" + std::to_string(g) + ".rail" + std::to_string(r), 0, g * rails + r));
  for (int i = 0; i < n; ++i)
    for (int r = 0; r < rails; ++r)
      topo.add_link(nodes[i].nics[r], leaves[static_cast<std::size_t>(i / group) * rails + r], f.link_kind, rate,
                    f.link_latency);
  // A single group still gets spines when it has several rails: they carry cross-rail traffic.
  if (groups <= 1 && rails <= 1) return;
  const Uplinks up = uplinks_for(group, rate, f.oversubscription, f.spines);
  std::vector<VertexId> spines;
  for (int s = 0; s < up.spines; ++s) spines.push_back(add_switch(topo, "spine" + std::to_string(s), 1, s));
  for (const VertexId leaf : leaves)
    for (const VertexId spine : spines) topo.add_link(leaf, spine, f.link_kind, up.bytes_per_s, f.link_latency);
}

}  // namespace

std::string_view to_string(FabricKind k) {
  switch (k) {
    case FabricKind::kNone: return "none";
    case FabricKind::kSingleSwitch: return "single_switch";
    case FabricKind::kLeafSpine: return "leaf_spine";
    case FabricKind::kFatTree: return "fat_tree";
    case FabricKind::kRailOptimized: return "rail_optimized";
  }
  return "?";
}

Time default_fabric_latency(LinkKind kind) {
  return kind == LinkKind::kEthernet ? Time::ns(1000) : Time::ns(500);
}

Topology build_cluster(const ClusterSpec& spec) {
  const FabricSpec& f = spec.fabric;
  if (spec.nodes < 1) throw std::invalid_argument("cluster: needs at least one node");
  if (f.oversubscription < 1.0) throw std::invalid_argument("fabric: oversubscription must be >= 1");
  if (f.leaf_ports < 1) throw std::invalid_argument("fabric: leaf_ports must be positive");
  if (f.kind != FabricKind::kNone && spec.node.nics < 1)
    throw std::invalid_argument("fabric: node template '" + spec.node.name + "' has no NIC to attach");
  if (f.kind == FabricKind::kNone && spec.nodes > 1)
    throw std::invalid_argument("cluster: several nodes need a fabric");

  Topology topo;
  std::vector<NodeVertices> nodes;
  nodes.reserve(static_cast<std::size_t>(spec.nodes));
  for (int n = 0; n < spec.nodes; ++n) nodes.push_back(add_node(topo, spec.node, n));
  std::vector<VertexId> nics;
  for (const auto& nv : nodes) nics.insert(nics.end(), nv.nics.begin(), nv.nics.end());
  const double rate = f.link_bytes_per_s > 0 ? f.link_bytes_per_s : spec.node.nic_bytes_per_s;

  switch (f.kind) {
    case FabricKind::kNone: break;
    case FabricKind::kSingleSwitch: {
      const VertexId sw = add_switch(topo, "switch0", 0, 0);
      for (const VertexId nic : nics) topo.add_link(nic, sw, f.link_kind, rate, f.link_latency);
      break;
    }
    case FabricKind::kLeafSpine: build_leaf_spine(topo, nics, f, rate); break;
    case FabricKind::kFatTree: build_fat_tree(topo, nics, f, rate, spec.node.nics); break;
    case FabricKind::kRailOptimized: build_rail_optimized(topo, nodes, f, rate); break;
  }
  if (spec.object_store) add_object_store(topo, *spec.object_store, f.link_kind);
  return topo;
}

}  // namespace cs
