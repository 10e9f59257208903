#include "topology/host_link.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <stdexcept>

namespace cs {

HostLink host_link(Router& router, VertexId gpu) {
  const Topology& topo = router.topology();
  if (gpu >= topo.vertex_count() || topo.vertex(gpu).kind != VertexKind::kGpu)
    throw std::invalid_argument("host link: vertex " + std::to_string(gpu) + " is not a GPU");
  const std::int32_t node = topo.vertex(gpu).node;
  HostLink best;
  std::size_t best_hops = std::numeric_limits<std::size_t>::max();
  for (VertexId v = 0; v < topo.vertex_count(); ++v) {
    const VertexInfo& info = topo.vertex(v);
    if (info.kind != VertexKind::kHostMemory || info.node != node) continue;
    RouteId id = 0;
    try {
      id = router.route_id(v, gpu);
    } catch (const std::runtime_error&) {
      continue;  // an explicit topology may leave a socket's memory without a way to this GPU
    }
    if (router.hops(id) == 0 || router.hops(id) >= best_hops) continue;
    const Route r = router.path(id);
    best_hops = router.hops(id);
    best.memory = v;
    best.links.assign(r.links.begin(), r.links.end());
    best.latency = r.latency;
  }
  if (best.memory == kNoVertex)
    throw std::invalid_argument("host link: GPU '" + topo.vertex(gpu).name + "' has no host memory in its node");
  return best;
}

double bottleneck_bytes_per_s(const Topology& topology, std::span<const LinkId> links, const LinkCapacity& capacity) {
  double least = std::numeric_limits<double>::infinity();
  for (const LinkId l : links)
    least = std::min(least, capacity ? capacity(l) : topology.link(l).bandwidth_bytes_per_s);
  return least;
}

double shared_host_bytes_per_s(Router& router, std::span<const VertexId> gpus, const LinkCapacity& capacity) {
  std::map<LinkId, int> copies;
  for (const VertexId g : gpus)
    for (const LinkId l : host_link(router, g).links) ++copies[l];
  double least = std::numeric_limits<double>::infinity();
  for (const auto& [l, n] : copies)
    least = std::min(least, (capacity ? capacity(l) : router.topology().link(l).bandwidth_bytes_per_s) / n);
  return least;
}

}  // namespace cs
