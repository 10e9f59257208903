#include "sim/training/priority_preemptive_policy.hpp"

#include <algorithm>
#include <cstddef>

namespace cs {

std::vector<std::uint64_t> preemption_victims(const SchedulerContext& cluster, int below_priority) {
  // The sort keys are read once per victim, not once per comparison: each read is a call
  // through SchedulerContext into a heap-allocated job.
  struct Victim {
    int priority;
    Time started;
    std::uint64_t id;
  };
  std::vector<Victim> found;
  for (std::uint64_t id : cluster.running_ids()) {
    const ClusterJobSpec& r = cluster.spec_of(id);
    if (r.preemptible && r.priority < below_priority && !cluster.gpus_of(id).empty())
      found.push_back({r.priority, cluster.started_at(id), id});
  }
  std::sort(found.begin(), found.end(), [](const Victim& x, const Victim& y) {
    if (x.priority != y.priority) return x.priority < y.priority;
    if (x.started != y.started) return x.started > y.started;
    return x.id > y.id;
  });
  std::vector<std::uint64_t> victims;
  victims.reserve(found.size());
  for (const Victim& v : found) victims.push_back(v.id);
  return victims;
}

bool preempt_for(std::uint64_t id, SchedulerContext& cluster) {
  const ClusterJobSpec& j = cluster.spec_of(id);
  auto victims = preemption_victims(cluster, j.priority);
  if (victims.empty()) return false;
  const ClusterInventory& inventory = cluster.inventory();
  const bool one_node = j.single_node || j.gpu_milli < ClusterInventory::kMilliPerGpu;
  const int need = j.gpu_milli < ClusterInventory::kMilliPerGpu ? 1 : j.gpus;
  auto matches = [&](int n) {
    return inventory.schedulable(n) && (j.gpu_type.empty() || inventory.node(n).gpu_type == j.gpu_type);
  };
  // Whole GPUs each victim would free, per node, in eviction order: counted once per victim
  // here rather than once per (node, victim) pair below. A shared GPU frees only if every
  // sharer on it is a victim: counted conservatively as not freed, so sharers are left out.
  struct Frees {
    std::size_t victim;  // index into `victims`
    int node;
    int gpus;
  };
  std::vector<Frees> frees;
  for (std::size_t i = 0; i < victims.size(); ++i) {
    if (cluster.spec_of(victims[i]).gpu_milli < ClusterInventory::kMilliPerGpu) continue;
    const std::size_t first = frees.size();
    for (GpuIndex g : cluster.gpus_of(victims[i])) {
      const int n = inventory.node_of(g);
      auto same = std::find_if(frees.begin() + static_cast<std::ptrdiff_t>(first), frees.end(),
                               [&](const Frees& f) { return f.node == n; });
      if (same != frees.end())
        ++same->gpus;
      else
        frees.push_back({i, n, 1});
    }
  }
  std::vector<std::uint64_t> chosen;
  if (one_node) {
    // Per node, its victims in eviction order (a stable sort keeps that order within a node).
    std::stable_sort(frees.begin(), frees.end(), [](const Frees& a, const Frees& b) { return a.node < b.node; });
    // The node where the fewest victims free enough GPUs (the lowest such node among equals).
    int best_node = -1;
    std::size_t best_count = 0;
    std::size_t best_begin = 0;
    for (std::size_t b = 0; b < frees.size();) {
      const int n = frees[b].node;
      std::size_t e = b;
      while (e < frees.size() && frees[e].node == n) ++e;
      if (matches(n)) {
        int free = inventory.free_gpus(n);
        std::size_t used = 0;
        for (std::size_t k = b; k < e && free < need; ++k) {
          free += frees[k].gpus;
          ++used;
        }
        if (free >= need && used > 0 && (best_node < 0 || used < best_count)) {
          best_node = n;
          best_count = used;
          best_begin = b;
        }
      }
      b = e;
    }
    if (best_node < 0) return false;
    int free = inventory.free_gpus(best_node);
    for (std::size_t k = best_begin; k < frees.size() && frees[k].node == best_node && free < need; ++k) {
      free += frees[k].gpus;
      chosen.push_back(victims[frees[k].victim]);
    }
  } else {
    int free = inventory.free_whole_gpus();
    std::size_t k = 0;
    for (std::size_t i = 0; i < victims.size() && free < need; ++i) {
      int w = 0;
      for (; k < frees.size() && frees[k].victim == i; ++k)
        if (matches(frees[k].node)) w += frees[k].gpus;
      if (w == 0) continue;
      free += w;
      chosen.push_back(victims[i]);
    }
    if (free < need) return false;
  }
  for (std::uint64_t v : chosen) cluster.preempt(v);
  return !chosen.empty();
}

}  // namespace cs
