#pragma once
// The cluster's GPU-second accounting, a listener of the ClusterScheduler: it integrates the
// GPUs allocated (jobs by share, plus GPUs lent to serving) and the GPUs in service (down and
// spare nodes excluded) over time, from construction to now or to the scheduler's finish(),
// and adds up the run totals (ClusterTotals) from those integrals and the jobs' records.
//
// The inventory is piecewise constant between the scheduler's changes, so integrating it at
// each on_gpus_changing (fired just before a change) is exact. Construct it right after the
// scheduler, before anything is submitted, so that it sees every change.
//
// Goodput: per job, useful working time / time holding GPUs (ClusterJobRecord::goodput); for
// the cluster, the GPU-weighted sum: Σ gpus·useful_s / Σ gpus·held_s (ClusterTotals::goodput).
// Work in progress at the horizon counts as useful (it was not lost).
//
// Utilization: GPU-seconds allocated / GPU-seconds in service.
#include <cstdint>
#include <utility>

#include "sim/engine/engine.hpp"
#include "sim/training/cluster_scheduler.hpp"

namespace cs {

// Run totals for /summary. Means are over finished jobs.
struct ClusterTotals {
  std::uint64_t submitted = 0;
  std::uint64_t finished = 0;
  std::uint64_t waiting = 0;  // at the horizon (after finish()) or now
  std::uint64_t running = 0;
  std::uint64_t never_fits = 0;
  std::uint64_t failures = 0;  // job interruptions by failures
  std::uint64_t node_failures = 0;
  std::uint64_t loans_revoked = 0;  // GPU loans ended by node failures
  std::uint64_t preemptions = 0;
  std::uint64_t restarts = 0;
  double mean_completion_s = 0;  // end - submit
  double mean_queue_s = 0;       // all waits of finished jobs
  double gpu_utilization = 0;
  double goodput = 0;
  double useful_gpu_s = 0;
  double lost_gpu_s = 0;
  double checkpoint_gpu_s = 0;
  double restart_gpu_s = 0;
  double allocated_gpu_s = 0;  // jobs (by share) + lent
  double in_service_gpu_s = 0;
};

class ClusterAccounting {
 public:
  // Connects to `scheduler`'s signals; both must outlive it being used.
  ClusterAccounting(const Engine& engine, ClusterScheduler& scheduler);
  ClusterAccounting(const ClusterAccounting&) = delete;
  ClusterAccounting& operator=(const ClusterAccounting&) = delete;

  // Totals up to now, or up to the scheduler's finish() once it has finished.
  ClusterTotals totals() const;

 private:
  // The integrals (allocated, in service) extended from the last change to `now`.
  std::pair<double, double> integrals_at(Time now) const;
  // Adds the inventory's GPUs allocated and in service since the last change.
  void integrate();

  const Engine& engine_;
  const ClusterScheduler& scheduler_;
  Time last_;
  bool closed_ = false;  // the scheduler has finished: the integrals end there
  double allocated_gpu_s_ = 0;
  double in_service_gpu_s_ = 0;
  std::uint64_t node_failures_ = 0;
};

}  // namespace cs
