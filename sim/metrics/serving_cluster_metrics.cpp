#include "sim/metrics/serving_cluster_metrics.hpp"

#include <algorithm>
#include <utility>

namespace cs {

namespace {
// What a pool adds to the run's overall figures. A prefill pool's completions are hand-offs to
// the decode pool, which completes those requests and reports their latencies; the decode
// pool's arrivals are those hand-offs. Resources (GPU-hours, cost, FLOPs) add as they are.
ServingSummary overall_part(ServingSummary s, RequestPhase phase) {
  if (phase == RequestPhase::kPrefillOnly) {
    const ServingSummary empty;
    s.completed = 0;
    s.ttft = s.tpot = s.e2e = s.queue_wait = empty.ttft;
    s.met_slo = 0;
    s.met_output_tokens = 0;
    s.completed_tokens = 0;
  } else if (phase == RequestPhase::kDecodeOnly) {
    s.arrived = 0;
    s.queue_wait = s.request_queue_wait;  // the whole request's wait, not the decode phase's
  }
  return s;
}

constexpr OutputKey kSummary[] = {
    {"requests_unroutable", "1", "requests naming a model no pool serves (counted in requests_rejected too)"},
};
// Written only with several pools: one pool's own series are the run's.
constexpr OutputKey kSeries[] = {
    {"arrivals_per_s", "1/s", "requests arrived over the last interval, all pools"},
    {"completions_per_s", "1/s", "requests completed over the last interval, all pools"},
    {"queue_depth", "1", "requests waiting, all pools"},
    {"running", "1", "requests in a batch, all pools"},
    {"replicas_ready", "1", "replicas taking requests, all pools"},
    {"replicas_provisioning", "1", "replicas booting, all pools"},
    {"tokens_per_s", "1/s", "output tokens generated over the last interval, all pools"},
    {"gpu_hours", "h", "cumulative GPU-hours held, all pools"},
};
}  // namespace

const OutputKeyTable& ServingClusterMetrics::output_keys() {
  static constexpr OutputKeyTable kTable{"serving cluster", kSummary, kSeries};
  return kTable;
}

ServingClusterMetrics::ServingClusterMetrics(std::vector<ServingPoolView> pools, TimelineSampler& sampler,
                                             ColumnarWriter* table, const Engine& engine, Time slo_window)
    : pools_(std::move(pools)), table_(table), worst_ttft_p99_(slo_window, 0.99) {
  for (auto& p : pools_) {
    p.router->on_replica_state.connect([this](const Replica&, ReplicaState) { replicas_changed(); });
    // The run's worst window over every pool's requests together.
    if (p.phase == RequestPhase::kPrefillOnly) continue;  // hand-offs, not requests done
    p.router->on_request_done.connect([this, &engine](const RequestOutcome& o) {
      if (o.status == RequestStatus::kCompleted) worst_ttft_p99_.add(engine.now(), o.ttft()->seconds());
    });
  }
  // One pool: its own series are the run's, under the plain names.
  if (pools_.size() < 2) return;
  sampler.declare(output_keys());
  sampler.add_rate("arrivals_per_s", [this] {
    return sum([](const ServingPoolView& p) { return static_cast<double>(p.router->arrived()); }) +
           static_cast<double>(unroutable_);
  });
  sampler.add_rate("completions_per_s", [this] {
    return sum([](const ServingPoolView& p) { return static_cast<double>(p.router->count_of(RequestStatus::kCompleted)); });
  });
  sampler.add_gauge("queue_depth", [this] {
    return sum([](const ServingPoolView& p) { return static_cast<double>(p.router->queued()); });
  });
  sampler.add_gauge("running", [this] {
    return sum([](const ServingPoolView& p) { return static_cast<double>(p.router->running()); });
  });
  sampler.add_gauge("replicas_ready", [this] {
    return sum([](const ServingPoolView& p) { return static_cast<double>(p.router->count_in(ReplicaState::kReady)); });
  });
  sampler.add_gauge("replicas_provisioning", [this] {
    return sum([](const ServingPoolView& p) {
      return static_cast<double>(p.router->count_in(ReplicaState::kProvisioning) +
                                 p.router->count_in(ReplicaState::kLoadingWeights));
    });
  });
  sampler.add_rate("tokens_per_s", [this] {
    return sum([](const ServingPoolView& p) {
      double n = 0;
      for (const auto& r : p.router->replicas()) n += static_cast<double>(r->tokens_generated());
      return n;
    });
  });
  sampler.add_gauge("gpu_hours", [this] { return sum([](const ServingPoolView& p) { return p.metrics->gpu_hours(); }); });
}

double ServingClusterMetrics::sum(double (*read)(const ServingPoolView&)) const {
  double total = 0;
  for (const auto& p : pools_) total += read(p);
  return total;
}

void ServingClusterMetrics::unroutable(const RequestOutcome& o) {
  ++unroutable_;
  if (table_) {
    ServingMetrics::table_row(o, -1, row_);
    table_->append(row_);
  }
}

void ServingClusterMetrics::replicas_changed() {
  std::int64_t ready = 0, gpus = 0;
  for (const auto& p : pools_) {
    ready += p.router->count_in(ReplicaState::kReady);
    gpus += p.metrics->gpus_held();
  }
  ready_peak_ = std::max(ready_peak_, ready);
  gpus_peak_ = std::max(gpus_peak_, gpus);
}

void ServingClusterMetrics::write_summary(RunFile& out, Time end) {
  std::vector<ServingSummary> per_pool;
  for (auto& p : pools_) {
    per_pool.push_back(p.metrics->summary());
    if (p.cost_usd) per_pool.back().cost_usd = p.cost_usd();
  }
  ServingSummary all = overall_part(per_pool.front(), pools_.front().phase);
  for (std::size_t i = 1; i < per_pool.size(); ++i) all += overall_part(per_pool[i], pools_[i].phase);
  all.worst_window_ttft_p99_s = worst_ttft_p99_.worst();
  all.arrived += unroutable_;
  all.rejected += unroutable_;
  if (pools_.size() > 1) {
    all.replicas_ready_peak = ready_peak_;
    all.gpus_peak = gpus_peak_;
  }
  write_serving_summary(out, all, end);
  out.declare_summary(output_keys());
  out.summary("requests_unroutable", static_cast<std::int64_t>(unroutable_));
  if (pools_.size() > 1)
    for (std::size_t i = 0; i < pools_.size(); ++i) write_serving_summary(out, per_pool[i], end, pools_[i].name + ".");
}

}  // namespace cs
