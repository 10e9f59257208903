#include "sim/network/network_spec.hpp"

#include <cstdio>

namespace cs {

Topology build_topology(const TopologySpec& spec) {
  if (const auto* cluster = std::get_if<ClusterSpec>(&spec.layout)) return build_cluster(*cluster);
  return build_explicit(std::get<ExplicitTopologySpec>(spec.layout));
}

std::string describe(const TopologySpec& spec) {
  char buf[256];
  if (const auto* c = std::get_if<ClusterSpec>(&spec.layout)) {
    const double rate = c->fabric.link_bytes_per_s > 0 ? c->fabric.link_bytes_per_s : c->node.nic_bytes_per_s;
    if (c->fabric.kind == FabricKind::kNone)
      std::snprintf(buf, sizeof buf, "%d x %s, no fabric", c->nodes, c->node.name.c_str());
    else
      std::snprintf(buf, sizeof buf, "%d x %s, %s %s %.1f GB/s per port, oversubscription %.3g:1", c->nodes,
                    c->node.name.c_str(), std::string(to_string(c->fabric.kind)).c_str(),
                    std::string(to_string(c->fabric.link_kind)).c_str(), rate / 1e9, c->fabric.oversubscription);
    std::string text = buf;
    if (c->object_store) {
      std::snprintf(buf, sizeof buf, ", object store %.1f GB/s", c->object_store->bytes_per_s() / 1e9);
      text += buf;
    }
    return text;
  }
  const auto& e = std::get<ExplicitTopologySpec>(spec.layout);
  std::snprintf(buf, sizeof buf, "explicit: %zu vertices, %zu links", e.vertices.size(), e.links.size());
  return buf;
}

}  // namespace cs
