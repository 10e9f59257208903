#include "sim/metrics/output_tables.hpp"

#include "sim/metrics/cost_energy_metrics.hpp"
#include "sim/metrics/job_metrics.hpp"
#include "sim/metrics/kv_transfer_metrics.hpp"
#include "sim/metrics/network_metrics.hpp"
#include "sim/metrics/pool_metrics.hpp"
#include "sim/metrics/prefix_cache_metrics.hpp"
#include "sim/metrics/serving_cluster_metrics.hpp"
#include "sim/metrics/serving_metrics.hpp"
#include "sim/metrics/serving_summary.hpp"
#include "sim/metrics/training_energy_metrics.hpp"
#include "sim/metrics/weight_load_metrics.hpp"
#include "sim/metrics/weight_streaming_metrics.hpp"

namespace cs {

namespace {
constexpr OutputKey kRunSummary[] = {
    {"events", "1", "events the engine processed"},
    {"simulated_s", "s", "the time the run covered: the horizon, or the makespan of a drained run"},
    {"makespan_s", "s", "simulation.horizon: drain only: the last request's outcome (NaN when the cap came first)"},
    {"topology", "text", "the topology's description"},
    {"trace_rows_skipped", "1", "request trace rows skipped, all streams"},
    {"job_trace_rows_skipped", "1", "job trace rows skipped"},
    {"spot_reclaims", "1", "cluster.option: spot: nodes the provider reclaimed (each counted in node_failures too)"},
    {"autoscaler_replicas_added", "1", "replicas the autoscalers ordered"},
    {"autoscaler_replicas_removed", "1", "replicas the autoscalers stopped"},
    {"autoscaler_capacity_shortfall", "1", "replicas the autoscalers wanted but could not get GPUs for"},
    {"<pool>.autoscaler_replicas_added", "1", "the pool's autoscaler's replicas ordered (several pools)"},
    {"<pool>.autoscaler_replicas_removed", "1", "the pool's autoscaler's replicas stopped (several pools)"},
    {"<pool>.autoscaler_capacity_shortfall", "1", "the pool's autoscaler's replicas without GPUs (several pools)"},
    {"baseline_file", "text", "compare_to: the baseline run's file"},
    {"baseline_cost_usd", "USD", "the baseline's cost_usd"},
    {"extra_cost_usd", "USD", "this run's cost_usd - the baseline's"},
    {"baseline_energy_kwh", "kWh", "the baseline's energy_kwh"},
    {"extra_energy_kwh", "kWh", "this run's energy_kwh - the baseline's"},
    {"baseline_gpu_hours", "h", "the baseline's gpu_hours"},
    {"extra_gpu_hours", "h", "this run's gpu_hours - the baseline's"},
    {"baseline_requests_completed", "1", "the baseline's requests_completed"},
    {"extra_requests_completed", "1", "this run's requests_completed - the baseline's"},
    {"baseline_useful_gpu_hours", "h", "the baseline's useful_gpu_hours"},
    {"extra_useful_gpu_hours", "h", "this run's useful_gpu_hours - the baseline's"},
    {"training_gpu_hours_lost_to_serving", "h",
     "baseline without serving: its useful_gpu_hours - this run's (co-location)"},
};
}  // namespace

const OutputKeyTable& run_output_keys() {
  static constexpr OutputKeyTable kTable{"run", kRunSummary, {}};
  return kTable;
}

std::vector<const OutputKeyTable*> output_key_tables() {
  return {&run_output_keys(),
          &PoolMetrics::output_keys(),
          &ServingMetrics::output_keys(),
          &serving_summary_keys(),
          &ServingClusterMetrics::output_keys(),
          &PrefixCacheMetrics::output_keys(),
          &PrefixCacheMetrics::host_tier_output_keys(),
          &KvTransferMetrics::output_keys(),
          &CostEnergyMetrics::output_keys(),
          &JobMetrics::output_keys(),
          &JobMetrics::link_output_keys(),
          &TrainingEnergyMetrics::output_keys(),
          &NetworkMetrics::output_keys(),
          &WeightLoadMetrics::output_keys(),
          &weight_streaming_output_keys()};
}

}  // namespace cs
