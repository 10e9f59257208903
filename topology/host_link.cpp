#include "topology/host_link.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <stdexcept>
#include <unordered_set>

namespace cs {

HostLink host_link(Router& router, VertexId gpu) {
  const Topology& topo = router.topology();
  if (gpu >= topo.vertex_count() || topo.vertex(gpu).kind != VertexKind::kGpu)
    throw std::invalid_argument("host link: vertex " + std::to_string(gpu) + " is not a GPU");
  // Breadth first through the GPU's own node, both link directions: the nearest host memories
  // (the lowest id among them), without looking at the rest of a 100k-GPU topology.
  const std::int32_t node = topo.vertex(gpu).node;
  const auto& g = topo.graph();
  std::vector<VertexId> level{gpu}, next;
  std::unordered_set<VertexId> seen{gpu};
  VertexId memory = kNoVertex;
  while (!level.empty() && memory == kNoVertex) {
    next.clear();
    auto visit = [&](VertexId v) {
      if (topo.vertex(v).node != node || !seen.insert(v).second) return;
      if (topo.vertex(v).kind == VertexKind::kHostMemory) memory = std::min(memory, v);
      next.push_back(v);
    };
    for (const VertexId v : level) {
      if (v != gpu && is_terminal(topo.vertex(v).kind)) continue;  // endpoints never forward
      for (auto [e, end] = boost::out_edges(v, g); e != end; ++e) visit(static_cast<VertexId>(boost::target(*e, g)));
      for (auto [e, end] = boost::in_edges(v, g); e != end; ++e) visit(static_cast<VertexId>(boost::source(*e, g)));
    }
    level.swap(next);
  }
  if (memory == kNoVertex)
    throw std::invalid_argument("host link: GPU '" + topo.vertex(gpu).name + "' has no host memory in its node");
  const Route r = router.route(memory, gpu);
  HostLink h;
  h.memory = memory;
  h.links.assign(r.links.begin(), r.links.end());
  h.latency = r.latency;
  return h;
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
