#pragma once
// The figures a serving /summary is computed from, kept as sums and histograms so that pools
// add up: the run's overall summary is the sum of its pools' (percentiles over the union of
// their requests, GPU-hours and cost each at its pool's price), with the peaks taken over the
// whole run rather than added.
#include <cstdint>
#include <string>

#include "sim/engine/time.hpp"
#include "sim/io/run_file.hpp"
#include "sim/metrics/latency_histogram.hpp"
#include "sim/serving/serving_pool_spec.hpp"

namespace cs {

struct ServingSummary {
  std::uint64_t arrived = 0, completed = 0, rejected = 0, dropped = 0, unfinished = 0;
  std::uint64_t over_context = 0;  // prompt + output over the context window: refused or clipped
  LatencyHistogram ttft, tpot, e2e, queue_wait;  // completed requests
  // The decode pool of a disaggregated deployment, whose queue_wait is the decode phase's (KV
  // arrival to first decode iteration): its completed requests' arrival to first iteration
  // (their prefill's), the run's overall queue_wait.
  LatencyHistogram request_queue_wait;
  ServingSlo slo;                                // NaN seconds in the written summary when pools differ
  bool slo_differs = false;
  std::uint64_t met_slo = 0;
  double met_output_tokens = 0;
  double completed_tokens = 0;  // input + output of completed requests
  double output_tokens_generated = 0;
  std::uint64_t preemptions = 0;
  std::uint64_t recomputed_tokens = 0;  // KV tokens preemptions threw away (computed again)
  std::uint64_t swapped_tokens = 0;     // KV tokens preemptions copied to host memory and back
  std::int64_t kv_blocks_per_replica = 0;  // -1 when pools differ (not written)
  std::int64_t replicas_created = 0;
  std::int64_t replicas_ready_peak = 0;
  std::int64_t gpus_peak = 0;
  double gpu_hours = 0;
  double busy_gpu_seconds = 0;    // GPU-seconds with an iteration in flight
  double flops_executed = 0;      // model FLOPs of every iteration run
  double peak_flop_capacity = 0;  // dense peak FLOP/s x GPU-seconds held: compute utilization's denominator
  double cost_usd = 0;  // compute + energy + egress (sim/metrics/cost_energy_metrics)
  // The highest p99 TTFT over back-to-back windows (`output.slo_window`); not additive: the
  // caller of += sets the sum's own.
  double worst_window_ttft_p99_s = 0;

  // Sums everything but the peaks (the caller knows the peaks of the sum).
  ServingSummary& operator+=(const ServingSummary& other);
};

// The serving /summary keys: the run's, and each pool's under "<pool>." when there are several.
const OutputKeyTable& serving_summary_keys();

// Writes the serving /summary names (docs/OUTPUT.md), each as `prefix` + name.
void write_serving_summary(RunFile& out, const ServingSummary& s, Time end, const std::string& prefix = "");

}  // namespace cs
