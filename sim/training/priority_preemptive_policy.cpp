#include "sim/training/priority_preemptive_policy.hpp"

#include <algorithm>

namespace cs {

std::vector<std::uint64_t> preemption_victims(const SchedulerContext& cluster, int below_priority) {
  std::vector<std::uint64_t> victims;
  for (std::uint64_t id : cluster.running_ids()) {
    const ClusterJobSpec& r = cluster.spec_of(id);
    if (r.preemptible && r.priority < below_priority && !cluster.gpus_of(id).empty()) victims.push_back(id);
  }
  std::sort(victims.begin(), victims.end(), [&](std::uint64_t a, std::uint64_t b) {
    const ClusterJobSpec& x = cluster.spec_of(a);
    const ClusterJobSpec& y = cluster.spec_of(b);
    if (x.priority != y.priority) return x.priority < y.priority;
    const Time sa = cluster.started_at(a);
    const Time sb = cluster.started_at(b);
    if (sa != sb) return sa > sb;
    return a > b;
  });
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
  // Whole GPUs each victim would free, per node (a shared GPU frees only if every sharer on it
  // is a victim: counted conservatively as not freed).
  auto whole_gpus_on = [&](std::uint64_t r, int n) {
    if (cluster.spec_of(r).gpu_milli < ClusterInventory::kMilliPerGpu) return 0;
    int count = 0;
    for (GpuIndex g : cluster.gpus_of(r)) count += inventory.node_of(g) == n ? 1 : 0;
    return count;
  };
  std::vector<std::uint64_t> chosen;
  if (one_node) {
    // The node where the fewest victims free enough GPUs.
    int best_node = -1;
    std::size_t best_count = 0;
    for (int n = 0; n < inventory.node_count(); ++n) {
      if (!matches(n)) continue;
      int free = inventory.free_gpus(n);
      std::size_t used = 0;
      for (std::uint64_t v : victims) {
        if (free >= need) break;
        const int w = whole_gpus_on(v, n);
        if (w == 0) continue;
        free += w;
        ++used;
      }
      if (free >= need && used > 0 && (best_node < 0 || used < best_count)) {
        best_node = n;
        best_count = used;
      }
    }
    if (best_node < 0) return false;
    int free = inventory.free_gpus(best_node);
    for (std::uint64_t v : victims) {
      if (free >= need) break;
      const int w = whole_gpus_on(v, best_node);
      if (w == 0) continue;
      free += w;
      chosen.push_back(v);
    }
  } else {
    int free = inventory.free_whole_gpus();
    for (std::uint64_t v : victims) {
      if (free >= need) break;
      int w = 0;
      for (int n : cluster.nodes_of(v))
        if (matches(n)) w += whole_gpus_on(v, n);
      if (w == 0) continue;
      free += w;
      chosen.push_back(v);
    }
    if (free < need) return false;
  }
  for (std::uint64_t v : chosen) cluster.preempt(v);
  return !chosen.empty();
}

}  // namespace cs
