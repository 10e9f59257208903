#include "sim/metrics/serving_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cs {

namespace {
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
double seconds_or_nan(const std::optional<Time>& t) {
  return t ? t->seconds() : kNan;
}
bool serving(const Replica& r) {
  return r.state() == ReplicaState::kReady || r.state() == ReplicaState::kDraining;
}
}  // namespace

std::vector<ColumnSpec> ServingMetrics::table_columns() {
  return {
      {"id", "1", ColumnType::kInt64, "request number in arrival order"},
      {"arrival_s", "s", ColumnType::kFloat64, "arrival time"},
      {"start_s", "s", ColumnType::kFloat64, "start of the first iteration computing it (NaN: never)"},
      {"first_token_s", "s", ColumnType::kFloat64, "first output token (NaN: never)"},
      {"finish_s", "s", ColumnType::kFloat64, "last token, or when it left (NaN: still there at the end)"},
      {"input_tokens", "1", ColumnType::kInt64, "prompt tokens"},
      {"output_tokens", "1", ColumnType::kInt64, "output tokens asked for"},
      {"generated_tokens", "1", ColumnType::kInt64, "output tokens produced"},
      {"replica", "1", ColumnType::kInt64, "replica id within its pool (-1: never reached one)"},
      {"pool", "1", ColumnType::kInt64, "pool index in the scenario's `serving:` list (-1: no pool serves its model)"},
      {"preemptions", "1", ColumnType::kInt64, "times evicted from the KV cache (recomputed or swapped)"},
      {"status", "1", ColumnType::kInt64, "0 completed, 1 rejected, 2 dropped, 3 unfinished", 64,
       {{0, "completed"}, {1, "rejected"}, {2, "dropped"}, {3, "unfinished"}}}};
}

namespace {
constexpr OutputKey kSeries[] = {
    {"arrivals_per_s", "1/s", "requests arrived over the last interval"},
    {"completions_per_s", "1/s", "requests completed over the last interval"},
    {"queue_depth", "1", "requests waiting: router backlog + replica queues"},
    {"running", "1", "requests in a batch on some replica"},
    {"replicas_ready", "1", "replicas taking requests"},
    {"replicas_provisioning", "1", "replicas booting: provisioning or loading weights"},
    {"replicas_draining", "1", "replicas finishing their requests to stop"},
    {"gpu_utilization", "1",
     "busy fraction (what nvidia-smi reports: an iteration in flight, however small) of ready and draining "
     "replicas over the last interval"},
    {"compute_utilization", "1", "model FLOPs executed over the last interval / (GPU-seconds held x dense peak)"},
    {"kv_cache_use", "1", "KV blocks used / KV blocks of serving replicas"},
    {"tokens_per_s", "1/s", "output tokens generated over the last interval"},
    {"slo_attainment", "1", "share of requests completed in the last interval that met the SLOs (NaN: none completed)"},
    {"ttft_p50_s", "s", "median TTFT of the requests completed in the last interval (NaN: none completed)"},
    {"ttft_p99_s", "s", "p99 TTFT of the requests completed in the last interval (NaN: none completed)"},
    {"tpot_p50_s", "s", "median time per output token of the requests completed in the last interval"},
    {"tpot_p99_s", "s", "p99 time per output token of the requests completed in the last interval"},
    {"gpu_hours", "h", "cumulative GPU-hours held"},
};
}  // namespace

const OutputKeyTable& ServingMetrics::output_keys() {
  static constexpr OutputKeyTable kTable{"serving pool", {}, kSeries};
  return kTable;
}

ServingMetrics::ServingMetrics(const Engine& engine, RequestRouter& router, const ServingPoolSpec& spec,
                               TimelineSampler& sampler, ColumnarWriter* table, std::int64_t pool, Time slo_window)
    : engine_(engine),
      router_(router),
      slo_(spec.slo),
      usd_per_gpu_hour_(spec.usd_per_gpu_hour),
      gpus_per_replica_(spec.replica.gpus),
      kv_blocks_per_replica_(kv_cache_blocks(spec.replica)),
      table_(table),
      pool_(pool),
      row_(table_columns().size()),
      last_change_(engine.now()),
      last_sample_(engine.now()),
      worst_ttft_p99_(slo_window, 0.99),
      peak_flops_per_gpu_(spec.gpu.peak_flops(spec.precision.compute)) {
  sampler.declare(output_keys());
  sampler.add_rate("arrivals_per_s", [this] { return static_cast<double>(router_.arrived()); });
  sampler.add_rate("completions_per_s", [this] { return static_cast<double>(router_.count_of(RequestStatus::kCompleted)); });
  sampler.add_gauge("queue_depth", [this] { return static_cast<double>(router_.queued()); });
  sampler.add_gauge("running", [this] { return static_cast<double>(router_.running()); });
  sampler.add_gauge("replicas_ready", [this] { return static_cast<double>(router_.count_in(ReplicaState::kReady)); });
  sampler.add_gauge("replicas_provisioning", [this] {
    return static_cast<double>(router_.count_in(ReplicaState::kProvisioning) +
                               router_.count_in(ReplicaState::kLoadingWeights));
  });
  sampler.add_gauge("replicas_draining", [this] { return static_cast<double>(router_.count_in(ReplicaState::kDraining)); });
  sampler.add_gauge("gpu_utilization", [this] { return utilization_since_last_sample(); });
  sampler.add_gauge("compute_utilization", [this] { return compute_utilization_since_last_sample(); });
  sampler.add_gauge("kv_cache_use", [this] { return kv_cache_use(); });
  sampler.add_rate("tokens_per_s", [this] {
    double n = 0;
    for (const auto& r : router_.replicas()) n += static_cast<double>(r->tokens_generated());
    return n;
  });
  sampler.add_gauge("slo_attainment", [this] { return interval_slo_attainment(); });
  sampler.add_gauge("ttft_p50_s", [this] { return interval_latency(0); });
  sampler.add_gauge("ttft_p99_s", [this] { return interval_latency(1); });
  sampler.add_gauge("tpot_p50_s", [this] { return interval_latency(2); });
  sampler.add_gauge("tpot_p99_s", [this] { return interval_latency(3); });
  sampler.add_gauge("gpu_hours", [this] { return gpu_hours(); });

  router_.on_request_done.connect([this](const RequestOutcome& o) { record(o); });
  router_.on_replica_state.connect([this](const Replica&, ReplicaState) {
    integrate();
    ready_peak_ = std::max(ready_peak_, router_.count_in(ReplicaState::kReady));
  });
}

void ServingMetrics::integrate() {
  const Time now = engine_.now();
  gpu_seconds_ += static_cast<double>(gpus_) * (now - last_change_).seconds();
  last_change_ = now;
  gpus_ = router_.gpus_in_use();
  gpus_peak_ = std::max(gpus_peak_, gpus_);
}

void ServingMetrics::replica_created(int gpus) {
  integrate();
  // Added to the router right after this; gpus_in_use() includes it from the next integration.
  gpus_ += gpus;
  gpus_peak_ = std::max(gpus_peak_, gpus_);
}

double ServingMetrics::gpu_hours() {
  integrate();
  return gpu_seconds_ / 3600.0;
}

bool ServingMetrics::meets_slo(const RequestOutcome& o) const {
  if (o.status != RequestStatus::kCompleted) return false;
  if (slo_.ttft > Time{} && !(o.ttft() && *o.ttft() <= slo_.ttft)) return false;
  const double tpot = o.tpot_seconds();
  if (slo_.tpot > Time{} && !std::isnan(tpot) && tpot > slo_.tpot.seconds()) return false;
  return true;
}

void ServingMetrics::record(const RequestOutcome& o) {
  preemptions_ += static_cast<std::uint64_t>(o.preemptions);
  recomputed_tokens_ += static_cast<std::uint64_t>(o.recomputed_tokens);
  swapped_tokens_ += static_cast<std::uint64_t>(o.swapped_tokens);
  if (o.status == RequestStatus::kCompleted) {
    // A completed request has every time.
    ttft_.add(o.ttft()->seconds());
    e2e_.add(o.e2e()->seconds());
    if (decode_phase_) {
      queue_wait_.add(o.decode_queue_wait()->seconds());
      request_queue_wait_.add(o.queue_wait()->seconds());
    } else {
      queue_wait_.add(o.queue_wait()->seconds());
    }
    const double tpot = o.tpot_seconds();
    if (!std::isnan(tpot)) {
      tpot_.add(tpot);
      interval_tpot_.push_back(tpot);
    }
    interval_ttft_.push_back(o.ttft()->seconds());
    worst_ttft_p99_.add(engine_.now(), o.ttft()->seconds());
    completed_tokens_ += static_cast<double>(o.input_tokens + o.output_tokens);
    ++interval_completed_;
    if (meets_slo(o)) {
      ++met_slo_;
      ++interval_met_;
      met_output_tokens_ += static_cast<double>(o.output_tokens);
    }
  }
  if (table_ && !(handed_off_ && o.status == RequestStatus::kCompleted)) {
    table_row(o, pool_, row_);
    table_->append(row_);
  }
}

void ServingMetrics::table_row(const RequestOutcome& o, std::int64_t pool, std::vector<double>& row) {
  row = {static_cast<double>(o.id),
         o.arrival.seconds(),
         seconds_or_nan(o.first_scheduled),
         seconds_or_nan(o.first_token),
         seconds_or_nan(o.finish),
         static_cast<double>(o.input_tokens),
         static_cast<double>(o.output_tokens),
         static_cast<double>(o.generated_tokens),
         o.replica == kNoReplica ? -1.0 : static_cast<double>(o.replica),
         static_cast<double>(pool),
         static_cast<double>(o.preemptions),
         static_cast<double>(static_cast<int>(o.status))};
}

double ServingMetrics::utilization_since_last_sample() {
  const Time now = engine_.now();
  double busy = 0;
  int serving_replicas = 0;
  for (const auto& r : router_.replicas()) {
    busy += r->busy_seconds();
    if (serving(*r)) ++serving_replicas;
  }
  const double span = (now - last_sample_).seconds();
  const double u = span > 0 && serving_replicas > 0 ? (busy - busy_at_last_sample_) / (span * serving_replicas) : 0.0;
  busy_at_last_sample_ = busy;
  last_sample_ = now;
  return std::min(u, 1.0);
}

double ServingMetrics::flops_executed() const {
  double flops = 0;
  for (const auto& r : router_.replicas()) flops += r->flops_executed();
  return flops;
}

double ServingMetrics::compute_utilization_since_last_sample() {
  integrate();
  const double flops = flops_executed();
  const double gpu_s = gpu_seconds_ - gpu_seconds_at_last_sample_;
  const double u =
      gpu_s > 0 && peak_flops_per_gpu_ > 0 ? (flops - flops_at_last_sample_) / (gpu_s * peak_flops_per_gpu_) : 0.0;
  flops_at_last_sample_ = flops;
  gpu_seconds_at_last_sample_ = gpu_seconds_;
  return u;
}

double ServingMetrics::kv_cache_use() const {
  double used = 0, total = 0;
  for (const auto& r : router_.replicas()) {
    if (!serving(*r)) continue;
    used += static_cast<double>(r->kv_blocks_used());
    total += static_cast<double>(r->kv_blocks_total());
  }
  return total > 0 ? used / total : 0.0;
}

double ServingMetrics::interval_latency(int which) {
  if (which == 0) {
    interval_quantiles_[0] = nearest_rank_quantile(interval_ttft_, 0.50);
    interval_quantiles_[1] = nearest_rank_quantile(interval_ttft_, 0.99);
    interval_quantiles_[2] = nearest_rank_quantile(interval_tpot_, 0.50);
    interval_quantiles_[3] = nearest_rank_quantile(interval_tpot_, 0.99);
    interval_ttft_.clear();
    interval_tpot_.clear();
  }
  return interval_quantiles_[which];
}

double ServingMetrics::interval_slo_attainment() {
  const double a = interval_completed_ ? static_cast<double>(interval_met_) / interval_completed_ : kNan;
  interval_completed_ = interval_met_ = 0;
  return a;
}

ServingSummary ServingMetrics::summary() {
  ServingSummary s;
  s.arrived = router_.arrived();
  s.completed = router_.count_of(RequestStatus::kCompleted);
  s.rejected = router_.count_of(RequestStatus::kRejected);
  s.dropped = router_.count_of(RequestStatus::kDropped);
  s.unfinished = router_.count_of(RequestStatus::kUnfinished);
  s.over_context = router_.over_context();
  s.ttft = ttft_;
  s.tpot = tpot_;
  s.e2e = e2e_;
  s.queue_wait = queue_wait_;
  s.request_queue_wait = request_queue_wait_;
  s.slo = slo_;
  s.met_slo = met_slo_;
  s.met_output_tokens = met_output_tokens_;
  s.completed_tokens = completed_tokens_;
  double busy = 0;
  for (const auto& r : router_.replicas()) {
    s.output_tokens_generated += static_cast<double>(r->tokens_generated());
    busy += r->busy_seconds();
  }
  s.busy_gpu_seconds = busy * gpus_per_replica_;
  s.preemptions = preemptions_;
  s.recomputed_tokens = recomputed_tokens_;
  s.swapped_tokens = swapped_tokens_;
  s.kv_blocks_per_replica = kv_blocks_per_replica_;
  s.replicas_created = static_cast<std::int64_t>(router_.replicas().size());
  s.replicas_ready_peak = ready_peak_;
  s.gpus_peak = gpus_peak_;
  s.gpu_hours = gpu_hours();
  s.cost_usd = s.gpu_hours * usd_per_gpu_hour_;
  s.flops_executed = flops_executed();
  s.peak_flop_capacity = s.gpu_hours * 3600.0 * peak_flops_per_gpu_;
  s.worst_window_ttft_p99_s = worst_ttft_p99_.worst();
  return s;
}

void ServingMetrics::write_summary(RunFile& out, Time end, const std::string& prefix) {
  write_serving_summary(out, summary(), end, prefix);
}

}  // namespace cs
