#include "topology/object_store.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace cs {

double ObjectStoreSpec::bytes_per_s() const {
  const double ports_total = ports * port_bytes_per_s;
  return read_bytes_per_s > 0 ? std::min(ports_total, read_bytes_per_s) : ports_total;
}

void validate(const ObjectStoreSpec& s) {
  if (s.ports < 1) throw std::invalid_argument("object store: needs at least one front-end port");
  if (!(s.port_bytes_per_s > 0)) throw std::invalid_argument("object store: the port bandwidth must be positive");
  if (s.read_bytes_per_s < 0) throw std::invalid_argument("object store: the read bandwidth must not be negative");
  if (s.latency < Time{}) throw std::invalid_argument("object store: the latency must not be negative");
}

VertexId add_object_store(Topology& topo, const ObjectStoreSpec& spec, LinkKind kind) {
  validate(spec);
  int top_tier = -1;
  std::vector<VertexId> top;
  for (VertexId v = 0; v < topo.vertex_count(); ++v) {
    const VertexInfo& info = topo.vertex(v);
    if (info.kind != VertexKind::kNetworkSwitch || info.node >= 0) continue;
    if (info.tier > top_tier) {
      top_tier = info.tier;
      top.clear();
    }
    if (info.tier == top_tier) top.push_back(v);
  }
  if (top.empty()) throw std::invalid_argument("object store: the topology has no fabric switch to attach it to");
  const double rate = spec.bytes_per_s();
  VertexInfo sw;
  sw.kind = VertexKind::kNetworkSwitch;
  sw.name = "storage.switch";
  sw.tier = top_tier + 1;
  sw.local = 0;
  const VertexId storage_switch = topo.add_vertex(std::move(sw));
  for (const VertexId t : top) topo.add_link(storage_switch, t, kind, rate, spec.latency);
  const VertexId store = topo.add_vertex(VertexKind::kStorage, "storage");
  topo.add_link(store, storage_switch, kind, rate, spec.latency);
  return store;
}

std::optional<VertexId> find_object_store(const Topology& topo) {
  for (VertexId v = 0; v < topo.vertex_count(); ++v) {
    const VertexInfo& info = topo.vertex(v);
    if (info.kind == VertexKind::kStorage && info.node < 0) return v;
  }
  return std::nullopt;
}

}  // namespace cs
