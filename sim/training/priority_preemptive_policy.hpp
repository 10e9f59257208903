#pragma once
// priority_preemptive: the queue in order of priority (then submission); a blocked head may
// evict preemptible running jobs of lower priority (lowest priority first, then the most
// recently started) when that frees enough GPUs for it; else it blocks the queue as in fifo.
#include <cstdint>
#include <vector>

#include "sim/training/queue_policy.hpp"

namespace cs {

class PriorityPreemptivePolicy final : public QueuePolicy {
 public:
  SchedulingPolicy kind() const override { return SchedulingPolicy::kPriorityPreemptive; }
  QueueKey key(const ClusterJobSpec& spec, std::uint64_t id) const override {
    return QueueKey{-spec.priority, spec.submit, id};
  }
  void pass(JobQueue& queue, SchedulerContext& cluster) override { pass_in_order(queue, cluster, true); }
};

// Running preemptible jobs holding GPUs with priority below `below_priority`, in eviction
// order: lowest priority first; among equals the most recently started (it has the least to
// lose when it checkpoints rarely), then the highest id, for a deterministic order.
std::vector<std::uint64_t> preemption_victims(const SchedulerContext& cluster, int below_priority);

// Evicts the victims that free enough GPUs for queued job `id` (on one node for a
// single-node job: the node where the fewest victims do); false when none would.
bool preempt_for(std::uint64_t id, SchedulerContext& cluster);

}  // namespace cs
