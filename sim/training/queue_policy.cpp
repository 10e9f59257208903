#include "sim/training/queue_policy.hpp"

#include "sim/training/easy_backfill_policy.hpp"
#include "sim/training/priority_preemptive_policy.hpp"

namespace cs {

std::string_view to_string(SchedulingPolicy p) {
  switch (p) {
    case SchedulingPolicy::kFifo:
      return "fifo";
    case SchedulingPolicy::kEasyBackfill:
      return "easy_backfill";
    case SchedulingPolicy::kPriorityPreemptive:
      return "priority_preemptive";
  }
  return "?";
}

namespace {

class FifoPolicy final : public QueuePolicy {
 public:
  SchedulingPolicy kind() const override { return SchedulingPolicy::kFifo; }
  void pass(JobQueue& queue, SchedulerContext& cluster) override { pass_in_order(queue, cluster, false); }
};

}  // namespace

void pass_in_order(JobQueue& queue, SchedulerContext& cluster, bool preempt) {
  for (auto it = queue.begin(); it != queue.end();) {
    const std::uint64_t id = it->id;
    if (cluster.try_start(id, -1)) {
      it = queue.erase(it);
      continue;
    }
    if (preempt && preempt_for(id, cluster)) {
      it = queue.begin();  // victims re-queued behind (lower priority); the head is still first
      continue;
    }
    break;
  }
}

std::unique_ptr<QueuePolicy> make_queue_policy(SchedulingPolicy policy) {
  switch (policy) {
    case SchedulingPolicy::kFifo:
      return std::make_unique<FifoPolicy>();
    case SchedulingPolicy::kEasyBackfill:
      return std::make_unique<EasyBackfillPolicy>();
    case SchedulingPolicy::kPriorityPreemptive:
      return std::make_unique<PriorityPreemptivePolicy>();
  }
  return std::make_unique<FifoPolicy>();
}

}  // namespace cs
