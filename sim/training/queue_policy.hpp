#pragma once
// How the cluster scheduler picks which waiting jobs start: one QueuePolicy per scheduler,
// called once per instant at which anything changed (a pass). The policy sees the scheduler
// through SchedulerContext (the running jobs, the inventory, the queue) and acts on it only
// by starting queued jobs and evicting running ones; the scheduler keeps the jobs, their
// phases and their GPUs.
//
//   fifo                 strict submission order; a blocked head blocks everyone (gang: a
//                        16-GPU job waits for 16 free GPUs, nothing overtakes it).
//   easy_backfill        submission order with backfilling behind a reservation for the
//                        blocked head (easy_backfill_policy.hpp).
//   priority_preemptive  order by priority (then submission); a blocked head may evict
//                        preemptible running jobs of lower priority
//                        (priority_preemptive_policy.hpp); else it blocks the queue as in fifo.
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string_view>

#include "sim/engine/time.hpp"
#include "sim/training/cluster_inventory.hpp"
#include "sim/training/cluster_job.hpp"

namespace cs {

enum class SchedulingPolicy : std::uint8_t { kFifo, kEasyBackfill, kPriorityPreemptive };

std::string_view to_string(SchedulingPolicy p);

// A waiting job's place: lower first (negated priority where priority orders the queue,
// else 0; then submission time; then id).
struct QueueKey {
  int neg_priority;
  Time submit;
  std::uint64_t id;
  auto operator<=>(const QueueKey&) const = default;
};
using JobQueue = std::set<QueueKey>;

// What a policy may see of the scheduler and ask of it.
class SchedulerContext {
 public:
  virtual ~SchedulerContext() = default;
  virtual Time now() const = 0;
  virtual const ClusterInventory& inventory() const = 0;
  virtual const ClusterJobSpec& spec_of(std::uint64_t id) const = 0;
  // Jobs holding GPUs (or CPU-only pods running), in no particular order.
  virtual std::span<const std::uint64_t> running_ids() const = 0;
  // A running job's GPUs, its distinct nodes (ascending) and the start of its current run.
  virtual std::span<const GpuIndex> gpus_of(std::uint64_t id) const = 0;
  virtual std::span<const int> nodes_of(std::uint64_t id) const = 0;
  virtual Time started_at(std::uint64_t id) const = 0;
  // Places and starts a queued job now, keeping off `exclude_node` (-1: none); false when it
  // does not fit. The caller removes a started job from the queue.
  virtual bool try_start(std::uint64_t id, int exclude_node) = 0;
  // Brings running model jobs' iteration times up to date (expected_run_time needs them).
  virtual void retime_running() = 0;
  // Time the job still needs if never interrupted; none when unknown (JobRun).
  virtual std::optional<Time> expected_run_time(std::uint64_t id) const = 0;
  // Evicts a running job for a waiting one; it goes back to the queue (a new key in it).
  virtual void preempt(std::uint64_t id) = 0;
};

class QueuePolicy {
 public:
  virtual ~QueuePolicy() = default;
  virtual SchedulingPolicy kind() const = 0;
  virtual QueueKey key(const ClusterJobSpec& spec, std::uint64_t id) const { return QueueKey{0, spec.submit, id}; }
  // Starts what the policy allows now, erasing started jobs from `queue`.
  virtual void pass(JobQueue& queue, SchedulerContext& cluster) = 0;
};

std::unique_ptr<QueuePolicy> make_queue_policy(SchedulingPolicy policy);

// Starts queued jobs in queue order until one does not fit (gang scheduling without
// overtaking); with `preempt`, a blocked head first tries to evict lower-priority jobs.
// Shared by fifo and priority_preemptive.
void pass_in_order(JobQueue& queue, SchedulerContext& cluster, bool preempt);

}  // namespace cs
