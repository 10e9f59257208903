#include "sim/training/rank_layout.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>

namespace cs {

RankLayout rank_layout(const TrainingParallelism& plan, std::span<const VertexId> gpus) {
  if (plan.tp < 1 || plan.pp < 1 || plan.dp < 1 || plan.cp < 1)
    throw std::invalid_argument("parallel degrees must be >= 1");
  if (gpus.size() != static_cast<std::size_t>(plan.gpus()))
    throw std::invalid_argument("training job has " + std::to_string(gpus.size()) +
                                " GPUs but tp x cp x pp x dp = " + std::to_string(plan.gpus()));
  RankLayout l;
  l.tp = plan.tp;
  l.pp = plan.pp;
  l.dp = plan.dp;
  l.cp = plan.cp;
  l.gpus = gpus;
  for (int d = 0; d < l.dp; ++d)
    for (int s = 0; s < l.pp; ++s)
      for (int c = 0; c < l.cp; ++c) {
        std::vector<VertexId> g;
        for (int t = 0; t < l.tp; ++t) g.push_back(l.gpu(d, s, t, c));
        l.tp_groups.push_back(std::move(g));
      }
  for (int d = 0; d < l.dp; ++d)
    for (int s = 0; s < l.pp; ++s)
      for (int t = 0; t < l.tp; ++t) {
        std::vector<VertexId> g;
        for (int c = 0; c < l.cp; ++c) g.push_back(l.gpu(d, s, t, c));
        l.cp_groups.push_back(std::move(g));
      }
  for (int s = 0; s < l.pp; ++s)
    for (int t = 0; t < l.tp; ++t) {
      std::vector<VertexId> g;
      for (int d = 0; d < l.dp; ++d)
        for (int c = 0; c < l.cp; ++c) g.push_back(l.gpu(d, s, t, c));
      l.dp_groups.push_back(std::move(g));
    }
  return l;
}

std::vector<VertexId> order_ranks(const Topology& topo, std::span<const VertexId> allocated,
                                  const TrainingParallelism& plan) {
  if (allocated.size() != static_cast<std::size_t>(plan.gpus()))
    throw std::invalid_argument("allocated " + std::to_string(allocated.size()) +
                                " GPUs for tp x cp x pp x dp = " + std::to_string(plan.gpus()));
  std::map<std::int32_t, std::vector<VertexId>> by_node;
  for (VertexId g : allocated) by_node[topo.vertex(g).node].push_back(g);
  std::map<std::int32_t, int> node_gpus_of;
  for (VertexId g : topo.gpus())
    if (by_node.count(topo.vertex(g).node)) ++node_gpus_of[topo.vertex(g).node];
  std::vector<VertexId> out;
  out.reserve(allocated.size());
  for (auto& [node, gs] : by_node) {
    if (plan.tp > 1 && node < 0) throw std::invalid_argument("tensor parallelism needs GPUs that belong to a node");
    const int node_gpus = node_gpus_of[node];
    if (plan.tp > node_gpus)
      throw std::invalid_argument("tp = " + std::to_string(plan.tp) + " exceeds the " + std::to_string(node_gpus) +
                                  " GPUs per node: a TP group must stay inside one NVLink domain");
    if (gs.size() % static_cast<std::size_t>(plan.tp) != 0)
      throw std::invalid_argument("node " + std::to_string(node) + " holds " + std::to_string(gs.size()) +
                                  " of the job's GPUs, not a multiple of tp = " + std::to_string(plan.tp));
    std::sort(gs.begin(), gs.end(),
              [&](VertexId a, VertexId b) { return topo.vertex(a).local < topo.vertex(b).local; });
    out.insert(out.end(), gs.begin(), gs.end());
  }
  return out;
}

}  // namespace cs
