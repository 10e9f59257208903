#pragma once
// easy_backfill: submission order; the blocked head gets a reservation at the earliest time
// enough GPUs free up (from running jobs' expected ends: the scheduler knows their true
// remaining work, i.e. perfect user estimates, and ignores future failures); a later job may
// start now if it fits and either ends before that time or leaves the head's GPUs alone (for
// a single-node head: does not use the reserved node; for a multi-node head: uses no more
// than the GPUs spare at that time) (Lifka 1995; Mu'alem & Feitelson, IEEE TPDS 2001).
#include "sim/training/queue_policy.hpp"

namespace cs {

class EasyBackfillPolicy final : public QueuePolicy {
 public:
  SchedulingPolicy kind() const override { return SchedulingPolicy::kEasyBackfill; }
  void pass(JobQueue& queue, SchedulerContext& cluster) override;
};

}  // namespace cs
