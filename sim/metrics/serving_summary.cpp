#include "sim/metrics/serving_summary.hpp"

#include <limits>

namespace cs {

ServingSummary& ServingSummary::operator+=(const ServingSummary& o) {
  arrived += o.arrived;
  completed += o.completed;
  rejected += o.rejected;
  dropped += o.dropped;
  unfinished += o.unfinished;
  over_context += o.over_context;
  ttft.merge(o.ttft);
  tpot.merge(o.tpot);
  e2e.merge(o.e2e);
  queue_wait.merge(o.queue_wait);
  request_queue_wait.merge(o.request_queue_wait);
  slo_differs = slo_differs || o.slo_differs || slo.ttft != o.slo.ttft || slo.tpot != o.slo.tpot;
  met_slo += o.met_slo;
  met_output_tokens += o.met_output_tokens;
  completed_tokens += o.completed_tokens;
  output_tokens_generated += o.output_tokens_generated;
  preemptions += o.preemptions;
  recomputed_tokens += o.recomputed_tokens;
  swapped_tokens += o.swapped_tokens;
  if (kv_blocks_per_replica != o.kv_blocks_per_replica) kv_blocks_per_replica = -1;
  replicas_created += o.replicas_created;
  gpu_hours += o.gpu_hours;
  busy_gpu_seconds += o.busy_gpu_seconds;
  flops_executed += o.flops_executed;
  peak_flop_capacity += o.peak_flop_capacity;
  cost_usd += o.cost_usd;
  return *this;
}

namespace {
constexpr OutputKey kSummary[] = {
    {"requests_arrived", "1", "requests arrived = completed + rejected + dropped + unfinished"},
    {"requests_completed", "1", "requests that generated every output token"},
    {"requests_rejected", "1", "requests refused by admission control, over the context window or unroutable"},
    {"requests_dropped", "1", "requests a replica can never serve"},
    {"requests_unfinished", "1", "requests still queued or running at the end"},
    {"requests_over_context", "1", "requests with prompt + output over the model's context window"},
    {"ttft_mean_s", "s", "mean time to first token of completed requests"},
    {"ttft_p50_s", "s", "median time to first token"},
    {"ttft_p90_s", "s", "90th percentile time to first token"},
    {"ttft_p99_s", "s", "99th percentile time to first token"},
    {"tpot_mean_s", "s", "mean time per output token after the first"},
    {"tpot_p50_s", "s", "median time per output token"},
    {"tpot_p90_s", "s", "90th percentile time per output token"},
    {"tpot_p99_s", "s", "99th percentile time per output token"},
    {"e2e_mean_s", "s", "mean arrival-to-last-token time"},
    {"e2e_p50_s", "s", "median arrival-to-last-token time"},
    {"e2e_p90_s", "s", "90th percentile arrival-to-last-token time"},
    {"e2e_p99_s", "s", "99th percentile arrival-to-last-token time"},
    {"queue_wait_mean_s", "s", "mean arrival-to-first-iteration time"},
    {"queue_wait_p50_s", "s", "median arrival-to-first-iteration time"},
    {"queue_wait_p90_s", "s", "90th percentile arrival-to-first-iteration time"},
    {"queue_wait_p99_s", "s", "99th percentile arrival-to-first-iteration time"},
    {"slo_ttft_s", "s", "the TTFT objective (NaN where pools differ); only with an SLO"},
    {"slo_tpot_s", "s", "the TPOT objective (NaN where pools differ); only with an SLO"},
    {"requests_met_slo", "1", "completed requests that met every SLO of their pool"},
    {"slo_attainment", "1", "requests that met the SLOs / requests arrived"},
    {"goodput_requests_per_s", "1/s", "requests that met the SLOs per second of the run"},
    {"goodput_output_tokens_per_s", "1/s", "output tokens of requests that met the SLOs per second"},
    {"output_tokens_generated", "1", "output tokens generated"},
    {"output_tokens_per_s", "1/s", "output tokens generated per second of the run"},
    {"preemptions", "1", "sequences preempted to free KV cache"},
    {"preempted_tokens_recomputed", "1", "KV tokens recompute preemptions threw away and computed again"},
    {"preempted_tokens_swapped", "1", "KV tokens swap preemptions copied to host memory and back"},
    {"kv_blocks_per_replica", "1", "KV-cache blocks each replica holds (left out where pools differ)"},
    {"replicas_created", "1", "replicas ordered over the run"},
    {"replicas_ready_peak", "1", "most replicas taking requests at once"},
    {"gpus_peak", "1", "most GPUs held at once"},
    {"gpu_hours", "h", "GPU-hours held, booting and draining included"},
    {"gpu_busy_fraction", "1", "busy GPU-seconds / paid GPU-seconds"},
    {"compute_utilization_mean", "1", "model FLOPs / (paid GPU-seconds x dense peak)"},
    {"cost_usd", "USD", "compute + energy + egress"},
    {"usd_per_1k_tokens", "USD", "cost per 1,000 input + output tokens of completed requests"},
    {"usd_per_slo_request", "USD", "cost / requests that met the SLOs (NaN when none did)"},
    {"worst_window_ttft_p99_s", "s", "highest p99 TTFT over back-to-back output.slo_window windows"},
};
}  // namespace

const OutputKeyTable& serving_summary_keys() {
  static constexpr OutputKeyTable kTable{"serving summary", kSummary, {}};
  return kTable;
}

void write_serving_summary(RunFile& out, const ServingSummary& s, Time end, const std::string& prefix) {
  out.declare_summary(serving_summary_keys(), prefix);
  const auto put = [&](const std::string& name, auto value) { out.summary(prefix + name, value); };
  const auto count = [](std::uint64_t n) { return static_cast<std::int64_t>(n); };
  put("requests_arrived", count(s.arrived));
  put("requests_completed", count(s.completed));
  put("requests_rejected", count(s.rejected));
  put("requests_dropped", count(s.dropped));
  put("requests_unfinished", count(s.unfinished));
  put("requests_over_context", count(s.over_context));
  const auto percentiles = [&](const std::string& name, const LatencyHistogram& h) {
    put(name + "_mean_s", h.mean());
    put(name + "_p50_s", h.quantile(0.50));
    put(name + "_p90_s", h.quantile(0.90));
    put(name + "_p99_s", h.quantile(0.99));
  };
  percentiles("ttft", s.ttft);
  percentiles("tpot", s.tpot);
  percentiles("e2e", s.e2e);
  percentiles("queue_wait", s.queue_wait);
  constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
  const double span = end.seconds();
  // Without an objective there is nothing to meet: no attainment or goodput (never "100%").
  const bool has_slo = s.slo_differs || s.slo.ttft > Time{} || s.slo.tpot > Time{};
  if (has_slo) {
    put("slo_ttft_s", s.slo_differs ? kNan : s.slo.ttft.seconds());
    put("slo_tpot_s", s.slo_differs ? kNan : s.slo.tpot.seconds());
    put("requests_met_slo", count(s.met_slo));
    // Every arrived request counts: rejected, dropped and unfinished ones missed the SLO.
    put("slo_attainment", s.arrived ? static_cast<double>(s.met_slo) / static_cast<double>(s.arrived) : 0.0);
    put("goodput_requests_per_s", span > 0 ? static_cast<double>(s.met_slo) / span : 0.0);
    put("goodput_output_tokens_per_s", span > 0 ? s.met_output_tokens / span : 0.0);
  }
  put("output_tokens_generated", static_cast<std::int64_t>(s.output_tokens_generated));
  put("output_tokens_per_s", span > 0 ? s.output_tokens_generated / span : 0.0);
  put("preemptions", count(s.preemptions));
  put("preempted_tokens_recomputed", count(s.recomputed_tokens));
  put("preempted_tokens_swapped", count(s.swapped_tokens));
  if (s.kv_blocks_per_replica >= 0) put("kv_blocks_per_replica", s.kv_blocks_per_replica);
  put("replicas_created", s.replicas_created);
  put("replicas_ready_peak", s.replicas_ready_peak);
  put("gpus_peak", s.gpus_peak);
  put("gpu_hours", s.gpu_hours);
  // Busy GPU-seconds over paid ones: booting and idle replicas lower it.
  put("gpu_busy_fraction", s.gpu_hours > 0 ? s.busy_gpu_seconds / (s.gpu_hours * 3600.0) : 0.0);
  put("compute_utilization_mean", s.peak_flop_capacity > 0 ? s.flops_executed / s.peak_flop_capacity : 0.0);
  put("cost_usd", s.cost_usd);
  put("usd_per_1k_tokens", s.completed_tokens > 0 ? s.cost_usd / s.completed_tokens * 1000 : 0.0);
  // The price of one request served within its SLOs (NaN: none was).
  put("usd_per_slo_request", s.met_slo ? s.cost_usd / static_cast<double>(s.met_slo) : kNan);
  put("worst_window_ttft_p99_s", s.worst_window_ttft_p99_s);
}

}  // namespace cs
