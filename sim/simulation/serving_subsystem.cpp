// `serving:` + `workload:`: every serving pool behind one ServingCluster fed by the request
// streams, with their listeners: per-pool serving metrics (with several pools each pool's
// timelines are prefixed by its name), cost and energy, spot reclaims, and the totals.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sim/cost/spot_interruptions.hpp"
#include "sim/metrics/cost_energy_metrics.hpp"
#include "sim/metrics/kv_transfer_metrics.hpp"
#include "sim/metrics/prefix_cache_metrics.hpp"
#include "sim/metrics/serving_cluster_metrics.hpp"
#include "sim/metrics/serving_metrics.hpp"
#include "sim/metrics/weight_load_metrics.hpp"
#include "sim/metrics/weight_streaming_metrics.hpp"
#include "sim/simulation/kv_handoff.hpp"
#include "sim/simulation/serving_cluster.hpp"
#include "sim/simulation/subsystem.hpp"

namespace cs {

namespace {

std::unique_ptr<ServingCluster> make_cluster(const SubsystemContext& ctx) {
  const Scenario& scenario = ctx.scenario;
  std::vector<std::unique_ptr<RequestSource>> streams;
  for (const InferenceWorkloadSpec* w : scenario.all_workloads())
    streams.push_back(make_request_source(*w, scenario.seed));
  // (The loader refused pools whose initial replicas cannot be placed on the topology.)
  return std::make_unique<ServingCluster>(ctx.engine, scenario.all_serving_pools(), std::move(streams),
                                          scenario.pool_split, ctx.fabric,
                                          scenario.disaggregation ? &*scenario.disaggregation : nullptr);
}

class ServingSubsystem final : public Subsystem {
 public:
  explicit ServingSubsystem(SubsystemContext& ctx);
  void start(Time horizon) override { serving_->start(horizon); }
  void finish() override { serving_->finish(); }
  void write_summary(RunFile& out, Time end) override;
  std::vector<std::string> warnings() const override;

 private:
  std::unique_ptr<ServingCluster> serving_;
  std::vector<std::unique_ptr<ServingMetrics>> metrics_;  // one per pool
  std::unique_ptr<ServingClusterMetrics> totals_;
  std::vector<std::unique_ptr<SpotInterruptions>> spot_;  // one per spot pool
  std::unique_ptr<CostEnergyMetrics> cost_;
  // Pools with prefix caching, with the prefix of their output names.
  std::vector<std::pair<std::unique_ptr<PrefixCacheMetrics>, std::string>> prefix_cache_;
  std::unique_ptr<KvTransferMetrics> kv_transfers_;  // with `disaggregation:`
  std::unique_ptr<WeightLoadMetrics> weight_loads_;  // pools loading weights as flows
};

ServingSubsystem::ServingSubsystem(SubsystemContext& ctx) : serving_(make_cluster(ctx)) {
  const Scenario& scenario = ctx.scenario;
  const std::vector<const ServingPoolSpec*> pools = scenario.all_serving_pools();
  Engine& engine = ctx.engine;
  TimelineSampler& sampler = ctx.sampler;
  ColumnarWriter* table =
      scenario.output.requests_table ? &ctx.out.table("requests", ServingMetrics::table_columns()) : nullptr;
  const DisaggregationSpec* disaggregation = scenario.disaggregation ? &*scenario.disaggregation : nullptr;
  std::vector<ServingPoolView> views;
  for (std::size_t i = 0; i < pools.size(); ++i) {
    ServingSystem& pool = serving_->pool(i);
    const std::string pool_prefix = pools.size() > 1 ? pools[i]->router.name + "." : std::string();
    const auto prefix = sampler.name_prefix(pool_prefix);
    metrics_.push_back(std::make_unique<ServingMetrics>(engine, pool.router(), *pools[i], sampler, table,
                                                        static_cast<std::int64_t>(i), scenario.output.slo_window));
    pool.on_replica_created.connect([metrics = metrics_.back().get()](int gpus) { metrics->replica_created(gpus); });
    views.push_back({pools[i]->router.name, &pool.router(), metrics_.back().get(), {}});
    if (pools[i]->replica.prefix_caching)
      prefix_cache_.emplace_back(std::make_unique<PrefixCacheMetrics>(pool.router(), sampler, pools[i]->replica),
                                 pool_prefix);
    if (disaggregation && i == disaggregation->prefill_pool) {
      views.back().phase = RequestPhase::kPrefillOnly;
      metrics_.back()->completions_handed_off();
    }
    if (disaggregation && i == disaggregation->decode_pool) {
      views.back().phase = RequestPhase::kDecodeOnly;
      metrics_.back()->waits_from_kv_arrival();
    }
  }
  if (KvHandoff* handoff = serving_->handoff())
    kv_transfers_ = std::make_unique<KvTransferMetrics>(
        handoff->on_transfer_done, [handoff] { return static_cast<double>(handoff->in_flight()); }, sampler);
  std::vector<CostPoolView> cost_views;
  for (std::size_t i = 0; i < pools.size(); ++i)
    cost_views.push_back({pools[i]->router.name, &serving_->pool(i).router(), metrics_[i].get(), pools[i]});
  cost_ = std::make_unique<CostEnergyMetrics>(engine, std::move(cost_views), sampler);
  for (std::size_t i = 0; i < pools.size(); ++i) {
    ServingSystem& pool = serving_->pool(i);
    pool.on_replica_created.connect([cost = cost_.get(), i](int) { cost->replica_provisioned(i); });
    views[i].cost_usd = [cost = cost_.get(), i] { return cost->figures(i).total_usd(); };
    // Spot reclaims, connected after the listeners so that they hear of a replica first.
    const double rate = pools[i]->billing.spot_interruptions_per_s;
    if (rate <= 0) continue;
    RequestRouter* router = &pool.router();
    spot_.push_back(std::make_unique<SpotInterruptions>(engine, rate, pools[i]->router.name, [router](std::uint32_t id) {
      Replica& r = *router->replicas().at(id);
      if (r.state() == ReplicaState::kStopped || r.state() == ReplicaState::kDraining) return false;
      r.drain();
      return true;
    }));
    // The replica about to join is the router's next.
    pool.on_replica_created.connect(
        [spot = spot_.back().get(), router](int) { spot->provisioned(router->next_replica_id()); });
    spot_.back()->on_interruption.connect([cost = cost_.get(), i](std::uint32_t) { cost->spot_interrupted(i); });
  }
  totals_ = std::make_unique<ServingClusterMetrics>(std::move(views), sampler, table, engine, scenario.output.slo_window);
  for (std::size_t i = 0; i < pools.size(); ++i)
    serving_->pool(i).on_replica_created.connect([totals = totals_.get()](int) { totals->replicas_changed(); });
  serving_->on_unroutable.connect([totals = totals_.get()](const RequestOutcome& o) { totals->unroutable(o); });
  if (WeightLoader* loader = serving_->weight_loader())
    weight_loads_ = std::make_unique<WeightLoadMetrics>(*loader, sampler);
  if (scenario.simulation.until_drained) serving_->on_drained.connect(ctx.drained);
  ctx.serving = serving_.get();
}

void ServingSubsystem::write_summary(RunFile& out, Time end) {
  totals_->write_summary(out, end);
  for (const auto& [metrics, prefix] : prefix_cache_) metrics->write_summary(out, prefix);
  const std::size_t n = serving_->size();
  std::int64_t added = 0, removed = 0, shortfall = 0;
  bool any = false;
  for (std::size_t i = 0; i < n; ++i) {
    const Autoscaler* a = serving_->pool(i).autoscaler();
    if (!a) continue;
    any = true;
    added += static_cast<std::int64_t>(a->replicas_added());
    removed += static_cast<std::int64_t>(a->replicas_removed());
    shortfall += static_cast<std::int64_t>(a->capacity_shortfall());
    if (n > 1) {
      const std::string prefix = serving_->pool(i).spec().router.name + ".";
      out.summary(prefix + "autoscaler_replicas_added", static_cast<std::int64_t>(a->replicas_added()));
      out.summary(prefix + "autoscaler_replicas_removed", static_cast<std::int64_t>(a->replicas_removed()));
      out.summary(prefix + "autoscaler_capacity_shortfall", static_cast<std::int64_t>(a->capacity_shortfall()));
    }
  }
  if (any) {
    out.summary("autoscaler_replicas_added", added);
    out.summary("autoscaler_replicas_removed", removed);
    out.summary("autoscaler_capacity_shortfall", shortfall);
  }
  out.summary("trace_rows_skipped", static_cast<std::int64_t>(serving_->skipped_rows()));
  if (kv_transfers_) kv_transfers_->write_summary(out);
  cost_->write_summary(out, end);
  if (weight_loads_) weight_loads_->write_summary(out);
  for (std::size_t i = 0; i < n; ++i) {
    const ServingSystem& pool = serving_->pool(i);
    const ServingPoolSpec& spec = pool.spec();
    if (!spec.streaming) continue;
    const StreamingPlan& plan = *spec.streaming;
    write_weight_streaming_summary(out, n > 1 ? spec.router.name + "." : std::string(),
                                   plan.streamed_layers * spec.plan.pp,
                                   plan.streamed_layers * plan.layer_bytes_per_gpu * spec.plan.total_gpus(),
                                   pool.streaming_passes());
  }
}

// Requests a pool refused for their length or could never serve, one line per kind and pool.
std::vector<std::string> ServingSubsystem::warnings() const {
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < serving_->size(); ++i) {
    const RequestRouter& router = serving_->pool(i).router();
    const std::string pool = "pool '" + router.spec().name + "': ";
    if (router.over_context() > 0)
      lines.push_back(pool + std::to_string(router.over_context()) + " requests had prompt + output over the model's " +
                      std::to_string(router.spec().context_window) + "-token context window and were " +
                      (router.spec().context_overflow == ContextOverflow::kClip ? "clipped" : "refused") +
                      " (requests_over_context)");
    const std::uint64_t dropped = router.count_of(RequestStatus::kDropped);
    if (dropped > 0)
      lines.push_back(pool + std::to_string(dropped) +
                      " requests could never be served and were dropped: a prompt over max_batched_tokens "
                      "without chunked prefill, or prompt + output over a replica's KV cache (requests_dropped)");
  }
  return lines;
}

}  // namespace

std::unique_ptr<Subsystem> build_serving_subsystem(SubsystemContext& ctx) {
  if (ctx.scenario.all_serving_pools().empty()) return nullptr;
  return std::make_unique<ServingSubsystem>(ctx);
}

}  // namespace cs
