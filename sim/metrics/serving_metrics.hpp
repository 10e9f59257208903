#pragma once
// Listens to a serving pool's RequestRouter: one /requests row per request outcome, the pool's
// timelines (arrivals, queue, replicas, utilization, KV-cache use, tokens/s, SLO attainment
// over the last interval, GPU-hours and cost) and the /summary percentiles. It never drives
// the model; GPU-hours integrate the GPUs held (booting and draining replicas are paid for)
// exactly, piecewise between the instants that count changes.
#include <cstdint>
#include <vector>

#include "sim/io/run_file.hpp"
#include "sim/metrics/latency_histogram.hpp"
#include "sim/metrics/serving_summary.hpp"
#include "sim/metrics/timeline_sampler.hpp"
#include "sim/metrics/window_quantile.hpp"
#include "sim/serving/request_router.hpp"
#include "sim/serving/serving_pool_spec.hpp"

namespace cs {

class ServingMetrics {
 public:
  // `pool`: the pool's index in the scenario, written in the table's `pool` column.
  // `slo_window`: the span of `worst_window_ttft_p99_s`.
  ServingMetrics(const Engine& engine, RequestRouter& router, const ServingPoolSpec& spec, TimelineSampler& sampler,
                 ColumnarWriter* table, std::int64_t pool = 0, Time slo_window = kDefaultSloWindow);
  static constexpr Time kDefaultSloWindow = Time::s(300);
  ServingMetrics(const ServingMetrics&) = delete;
  ServingMetrics& operator=(const ServingMetrics&) = delete;
  static std::vector<ColumnSpec> table_columns();
  // The timeline series it writes (its /summary keys are serving_summary_keys()), under the
  // sampler's name prefix: "<pool>." when there are several pools.
  static const OutputKeyTable& output_keys();
  // The /requests row of an outcome, in table_columns() order (pool -1: reached none).
  static void table_row(const RequestOutcome& o, std::int64_t pool, std::vector<double>& row);

  // A replica of `gpus` GPUs is about to join the pool (the router does not signal that).
  void replica_created(int gpus);
  // The pool's completions are hand-offs (the prefill pool of a disaggregated deployment): the
  // pool that finishes the request writes its /requests row, so they are not written here.
  void completions_handed_off() { handed_off_ = true; }
  // The pool's requests arrive as hand-offs (the decode pool of a disaggregated deployment):
  // its queue wait is from a request's KV arrival to its first decode iteration.
  void waits_from_kv_arrival() { decode_phase_ = true; }
  // Whether a completed request met every SLO the pool sets.
  bool meets_slo(const RequestOutcome& o) const;
  double gpu_hours();
  double usd_per_gpu_hour() const { return usd_per_gpu_hour_; }
  // Model FLOPs every replica has executed so far (the energy listener's utilization).
  double flops_executed() const;
  // GPUs held now (booting and draining replicas included).
  std::int64_t gpus_held() const { return gpus_; }
  // After the router has reported every request (finish_run).
  ServingSummary summary();
  void write_summary(RunFile& out, Time end, const std::string& prefix = "");

 private:
  void integrate();
  void record(const RequestOutcome& o);
  double utilization_since_last_sample();
  double compute_utilization_since_last_sample();
  double kv_cache_use() const;
  // The interval's TTFT and TPOT percentiles, taken once per sample (the first read).
  double interval_latency(int which);
  double interval_slo_attainment();

  const Engine& engine_;
  RequestRouter& router_;
  ServingSlo slo_;
  double usd_per_gpu_hour_;
  double gpus_per_replica_;
  std::int64_t kv_blocks_per_replica_;
  ColumnarWriter* table_;
  bool handed_off_ = false;
  bool decode_phase_ = false;
  std::int64_t pool_;
  std::vector<double> row_;

  LatencyHistogram ttft_, tpot_, e2e_, queue_wait_, request_queue_wait_;
  std::uint64_t met_slo_ = 0;
  double met_output_tokens_ = 0;
  double completed_tokens_ = 0;  // input + output of completed requests
  std::uint64_t preemptions_ = 0;
  std::uint64_t recomputed_tokens_ = 0;
  std::uint64_t swapped_tokens_ = 0;

  // GPU-seconds held, integrated to last_change_ at gpus_ GPUs.
  double gpu_seconds_ = 0;
  std::int64_t gpus_ = 0;
  std::int64_t gpus_peak_ = 0;
  int ready_peak_ = 0;
  Time last_change_;

  // Per sample interval.
  double busy_at_last_sample_ = 0;
  Time last_sample_;
  std::uint64_t interval_completed_ = 0;
  std::uint64_t interval_met_ = 0;
  std::vector<double> interval_ttft_, interval_tpot_;
  double interval_quantiles_[4] = {};  // ttft p50, p99, tpot p50, p99 of the last interval
  WindowedWorst worst_ttft_p99_;
  // Compute utilization: model FLOPs / (GPU-seconds held × dense peak at the compute format).
  double peak_flops_per_gpu_ = 0;
  double flops_at_last_sample_ = 0;
  double gpu_seconds_at_last_sample_ = 0;
};

}  // namespace cs
