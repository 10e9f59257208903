#pragma once
// Listens to the serving pools for what they cost and draw (docs/COST_MODEL.md, "Billing,
// power and energy"). Power: each GPU held draws idle power plus (TDP - idle) x its compute
// utilization (sim/hardware/power_curve), so over any span the boards' energy is
//   idle_W x GPU-seconds held + (TDP - idle)_W x model FLOPs / dense peak FLOP/s,
// exact between samples; the server's host share and network ports add a constant draw per
// GPU held; the facility multiplies all by its PUE. Money: compute as the provider bills it
// (from provisioning to release, in its billing increments with its minimum; committed
// GPUs - reserved or owned - for the whole run whether used or not, GPUs beyond them at the
// on-demand rate by the second), electricity where it is billed apart (owned), egress per byte
// of the answers. Timelines `power_kw`, `energy_kwh`, `cost_usd`, `cost_usd_per_h` per pool
// (`<pool>.` with several pools) and overall. It never drives the simulation.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/io/run_file.hpp"
#include "sim/metrics/serving_metrics.hpp"
#include "sim/metrics/timeline_sampler.hpp"
#include "sim/serving/request_router.hpp"
#include "sim/serving/serving_pool_spec.hpp"

namespace cs {

struct CostPoolView {
  std::string name;
  RequestRouter* router;
  ServingMetrics* serving;
  const ServingPoolSpec* spec;
};

// What one pool (or the run) has cost and drawn so far.
struct CostFigures {
  double compute_usd = 0, energy_usd = 0, egress_usd = 0;
  double energy_j = 0;  // at the facility meter (x PUE)
  double egress_bytes = 0;
  double total_usd() const { return compute_usd + energy_usd + egress_usd; }
};

class CostEnergyMetrics {
 public:
  // Construct after the pools' ServingMetrics (it reads the GPUs they hold, kept current by
  // their own signal handlers, which must run first).
  CostEnergyMetrics(const Engine& engine, std::vector<CostPoolView> pools, TimelineSampler& sampler);
  CostEnergyMetrics(const CostEnergyMetrics&) = delete;
  CostEnergyMetrics& operator=(const CostEnergyMetrics&) = delete;

  // Pool `pool` provisioned a replica now (after its ServingMetrics heard of it).
  void replica_provisioned(std::size_t pool);
  // Pool `pool` lost a replica to a spot reclaim.
  void spot_interrupted(std::size_t pool) { ++pools_[pool].spot_interruptions; }

  CostFigures figures(std::size_t pool);
  CostFigures total();
  // energy_kwh, energy_usd, avg/peak_power_kw, compute/egress_usd, spot_interruptions: overall,
  // then each pool's under `<pool>.` when there are several.
  void write_summary(RunFile& out, Time end);
  // Its /summary keys and timeline series, the run's and each pool's under "<pool>.".
  static const OutputKeyTable& output_keys();

 private:
  struct Pool {
    CostPoolView view{};
    BillingSpec billing;
    double static_w_per_gpu = 0;  // idle board + host share + network ports
    double dynamic_w = 0;         // TDP - idle
    double peak_flops_per_gpu = 0;
    int gpus_per_replica = 1;
    std::vector<Time> start;                // by replica id
    std::vector<std::optional<Time>> stop;  // empty while held
    // GPUs held beyond the committed ones, integrated (committed billing).
    std::int64_t held = 0;
    double overage_gpu_s = 0;
    double unused_gpu_s = 0;  // committed GPUs not held, integrated
    Time last_change;
    std::uint64_t spot_interruptions = 0;
    double peak_power_w = 0;
    // The last sample's figures, for the interval rates.
    CostFigures at_sample;
    double power_w = 0, usd_per_h = 0;
  };
  void integrate(Pool& p);
  double billed_gpu_seconds(Pool& p);
  void take_sample();

  const Engine& engine_;
  std::vector<Pool> pools_;
  Time last_sample_;
  bool sampled_ = false;
  CostFigures total_at_sample_;
  double total_power_w_ = 0, total_usd_per_h_ = 0, total_peak_power_w_ = 0;
};

}  // namespace cs
