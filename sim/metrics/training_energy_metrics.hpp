#pragma once
// Listens to a training cluster's scheduler for the power it draws and the energy it uses
// (docs/COST_MODEL.md, "Billing, power and energy"), the sibling of CostEnergyMetrics for
// serving pools. Every GPU in service (running, free or a spare; a node that is down or
// reclaimed is off; GPUs lent to serving are the serving pool's) draws its board's idle power
// plus the server's host share and network ports; a GPU at work adds (TDP - idle) x its compute
// utilization (sim/hardware/power_curve): a model job's hardware FLOP rate over the dense peak
// of its compute format, a fixed-work job's taken as 1 (a trace gives no utilization, so its
// energy is an upper bound); all x PUE. The state is re-read at every job start, end,
// interruption and failure, and at each sample, and held in between: exact but for node
// returns and re-timed iterations, which count from the next of those. Timelines
// `cluster.power_kw` (at the sample instant) and `cluster.energy_kwh` (cumulative). It never
// drives the simulation.
#include <string>

#include "sim/cost/billing_spec.hpp"
#include "sim/hardware/gpu_spec.hpp"
#include "sim/io/run_file.hpp"
#include "sim/metrics/timeline_sampler.hpp"
#include "sim/training/cluster_scheduler.hpp"

namespace cs {

class TrainingEnergyMetrics {
 public:
  TrainingEnergyMetrics(const Engine& engine, ClusterScheduler& scheduler, const GpuSpec& gpu,
                        const BillingSpec& billing, TimelineSampler& sampler);
  TrainingEnergyMetrics(const TrainingEnergyMetrics&) = delete;
  TrainingEnergyMetrics& operator=(const TrainingEnergyMetrics&) = delete;

  // Facility power now (W), and energy (J) up to now.
  double power_w() const { return power_w_; }
  double energy_j();
  // cluster.energy_kwh, cluster.energy_usd (electricity billed apart: owned), cluster.avg_power_kw,
  // cluster.peak_power_kw.
  void write_summary(RunFile& out, Time end);

 private:
  void update();  // integrates the held power up to now, then re-reads the state

  const Engine& engine_;
  ClusterScheduler& scheduler_;
  GpuSpec gpu_;
  BillingSpec billing_;
  double static_w_per_gpu_ = 0;  // idle board + host share + network ports
  Time last_;
  double power_w_ = 0;  // facility power of the state read last
  double peak_power_w_ = 0;
  double energy_j_ = 0;
  std::vector<double> iteration_s_;  // scratch for running_training_jobs
};

}  // namespace cs
