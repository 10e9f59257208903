#include "sim/training/easy_backfill_policy.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "sim/training/job_run.hpp"

namespace cs {

void EasyBackfillPolicy::pass(JobQueue& queue, SchedulerContext& cluster) {
  auto it = queue.begin();
  while (it != queue.end() && cluster.try_start(it->id, -1)) it = queue.erase(it);
  if (it == queue.end()) return;
  const ClusterJobSpec& head = cluster.spec_of(it->id);
  ++it;
  if (it == queue.end()) return;
  cluster.retime_running();  // expected ends need current iteration times
  const ClusterInventory& inventory = cluster.inventory();
  const Time now = cluster.now();

  // The head's reservation: replay running jobs' releases in order of expected end on a copy
  // of the GPUs' free shares until the head would fit (a node holding it, for a single-node
  // head; enough GPUs anywhere, for a gang that may span nodes).
  const int k = head.training ? head.training->parallel.tp : 1;
  const bool one_node = head.single_node || head.gpu_milli < ClusterInventory::kMilliPerGpu;
  const int need = head.gpus;
  auto eligible = [&](int n) {
    return inventory.schedulable(n) && (head.gpu_type.empty() || inventory.node(n).gpu_type == head.gpu_type);
  };
  std::vector<int> milli(static_cast<std::size_t>(inventory.gpu_count()));
  for (GpuIndex g = 0; g < inventory.gpu_count(); ++g) milli[static_cast<std::size_t>(g)] = inventory.milli_free(g);
  std::vector<int> node_free(static_cast<std::size_t>(inventory.node_count()));
  int total_free = 0;
  for (int n = 0; n < inventory.node_count(); ++n) {
    node_free[static_cast<std::size_t>(n)] = eligible(n) ? inventory.free_gpus(n) : 0;
    total_free += node_free[static_cast<std::size_t>(n)];
  }
  // Jobs whose end is unknown (open-ended, or not timed yet) or beyond the clock never release
  // their GPUs here.
  std::vector<std::pair<Time, std::uint64_t>> ends;
  ends.reserve(cluster.running_ids().size());
  for (std::uint64_t id : cluster.running_ids()) {
    const std::optional<Time> run = cluster.expected_run_time(id);
    if (!run) continue;
    if (const std::optional<Time> end = instant_after(now, *run)) ends.emplace_back(*end, id);
  }
  std::sort(ends.begin(), ends.end());
  std::optional<Time> shadow;  // when the head can start; none: not before an unknown end
  int reserved_node = -1;
  int extra = 0;
  for (const auto& [end, id] : ends) {
    const int share = cluster.spec_of(id).gpu_milli;
    for (GpuIndex g : cluster.gpus_of(id)) {
      auto& m = milli[static_cast<std::size_t>(g)];
      m += share;
      const int n = inventory.node_of(g);
      if (m == ClusterInventory::kMilliPerGpu && eligible(n)) {
        ++node_free[static_cast<std::size_t>(n)];
        ++total_free;
      }
    }
    if (one_node) {
      for (int n : cluster.nodes_of(id)) {
        const int u = node_free[static_cast<std::size_t>(n)] - node_free[static_cast<std::size_t>(n)] % k;
        if (u >= need && eligible(n)) {
          reserved_node = n;
          break;
        }
      }
      if (reserved_node >= 0) {
        shadow = end;
        break;
      }
    } else if (total_free >= need) {
      shadow = end;
      extra = total_free - need;
      break;
    }
  }

  // Backfill: later jobs in order, each if it fits now and cannot delay the reservation.
  while (it != queue.end()) {
    const std::uint64_t id = it->id;
    const std::optional<Time> run = cluster.expected_run_time(id);
    const bool ends_before = run && shadow && now + *run <= *shadow;
    bool started = false;
    if (ends_before || !shadow) {
      started = cluster.try_start(id, -1);
    } else if (one_node) {
      started = cluster.try_start(id, reserved_node);
    } else if (cluster.spec_of(id).gpus <= extra) {
      started = cluster.try_start(id, -1);
      if (started) extra -= cluster.spec_of(id).gpus;
    }
    it = started ? queue.erase(it) : std::next(it);
  }
}

}  // namespace cs

