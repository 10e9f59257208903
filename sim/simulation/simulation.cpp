#include "sim/simulation/simulation.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "sim/cost/spot_interruptions.hpp"
#include "sim/engine/engine.hpp"
#include "sim/io/file_digest.hpp"
#include "sim/io/run_file.hpp"
#include "sim/metrics/cost_energy_metrics.hpp"
#include "sim/metrics/job_metrics.hpp"
#include "sim/metrics/kv_transfer_metrics.hpp"
#include "sim/metrics/training_energy_metrics.hpp"
#include "sim/metrics/network_metrics.hpp"
#include "sim/metrics/output_tables.hpp"
#include "sim/metrics/pool_metrics.hpp"
#include "sim/metrics/serving_cluster_metrics.hpp"
#include "sim/metrics/serving_metrics.hpp"
#include "sim/metrics/prefix_cache_metrics.hpp"
#include "sim/metrics/timeline_sampler.hpp"
#include "sim/metrics/weight_load_metrics.hpp"
#include "sim/network/fabric.hpp"
#include "sim/network/network_workload.hpp"
#include "sim/scenario/config_error.hpp"
#include "sim/queueing/server_pool.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/simulation/kv_handoff.hpp"
#include "sim/simulation/serving_cluster.hpp"
#include "sim/simulation/training_system.hpp"

namespace cs {

namespace {

constexpr std::uint64_t kEventsPerSlice = 1 << 20;

std::string utc_now_iso8601() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void write_meta(RunFile& out, const Scenario& s, const RunOptions& o) {
  out.meta("tool", std::string("clustersim"));
  out.meta("tool_version", std::string(CLUSTERSIM_VERSION));
  out.meta("scenario_name", s.name);
  out.meta("scenario_file", s.source_file);
  out.meta("scenario_yaml", s.source_text);
  out.meta("scenario_resolved_yaml", s.resolved_yaml);
  out.meta("seed", static_cast<std::int64_t>(s.seed));
  out.meta("start_time_utc", utc_now_iso8601());
  out.meta("command_line", o.command_line);
  out.meta("horizon_s", static_cast<std::int64_t>(s.simulation.horizon.seconds()));
  out.meta("sample_interval_s", std::to_string(s.simulation.sample_interval.seconds()));
  // The trace and job files exactly as read: where, how many bytes, which bytes.
  out.meta("input_files", static_cast<std::int64_t>(s.input_files.size()));
  for (std::size_t i = 0; i < s.input_files.size(); ++i) {
    const std::string prefix = "input_file_" + std::to_string(i) + "_";
    const FileDigest d = digest_file(s.input_files[i].path);
    out.meta(prefix + "key", s.input_files[i].key);
    out.meta(prefix + "path", s.input_files[i].path);
    out.meta(prefix + "bytes", static_cast<std::int64_t>(d.bytes));
    out.meta(prefix + "sha256", d.sha256);
  }
  out.meta("units", std::string("SI throughout: seconds, bytes, bytes/s, watts, USD. Every dataset has a `units` "
                                "attribute; every /summary name ends in its unit (_s, _usd, _bytes) or is a count."));
}

// Runs the engine to the horizon in slices, reporting progress between them.
// Stops early once `drained` is set (and the engine stopped) by `horizon: drain`.
void run_to_horizon(Engine& engine, Time horizon, const RunOptions& options,
                    std::chrono::steady_clock::time_point wall_start, const bool& drained) {
  auto report = [&] {
    if (!options.progress) return;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    options.progress({engine.now(), horizon, engine.events_processed(), wall});
  };
  while (!engine.run_until(horizon, kEventsPerSlice) && !drained) report();
  report();
}

// The models a scenario asks for, each with its listener. A scenario has at most one request
// workload (a generic queue or LLM serving) and, beside it or alone, collectives on a topology.
struct Models {
  std::unique_ptr<ServerPool> pool;
  std::unique_ptr<PoolMetrics> pool_metrics;
  std::unique_ptr<ServingCluster> serving;
  std::vector<std::unique_ptr<ServingMetrics>> serving_metrics;  // one per pool
  std::unique_ptr<ServingClusterMetrics> serving_totals;
  // Pools with prefix caching, with the prefix of their output names.
  std::vector<std::pair<std::unique_ptr<PrefixCacheMetrics>, std::string>> prefix_cache;
  std::unique_ptr<KvTransferMetrics> kv_transfers;  // with `disaggregation:`
  std::vector<std::unique_ptr<SpotInterruptions>> spot;  // one per spot pool
  std::unique_ptr<CostEnergyMetrics> cost;
  const TopologySpec* topology = nullptr;  // the scenario's, for the summary
  std::unique_ptr<Fabric> fabric;           // the one network, with a topology
  std::unique_ptr<NetworkWorkload> network;  // collective jobs on it
  std::unique_ptr<NetworkMetrics> network_metrics;  // only with collective jobs
  std::unique_ptr<TrainingSystem> training;
  std::unique_ptr<JobMetrics> job_metrics;
  std::unique_ptr<TrainingEnergyMetrics> training_energy;  // with the cluster's `gpu:`
  std::unique_ptr<WeightLoadMetrics> weight_loads;          // pools loading weights as flows
};

// One ServingSystem per pool behind a ServingCluster that feeds them the workload streams;
// with several pools each pool's timelines are prefixed by its name.
void build_serving(const Scenario& scenario, const std::vector<const ServingPoolSpec*>& pools, Engine& engine,
                   TimelineSampler& sampler, RunFile& out, Models& m) {
  std::vector<std::unique_ptr<RequestSource>> streams;
  for (const InferenceWorkloadSpec* w : scenario.all_workloads())
    streams.push_back(make_request_source(*w, scenario.seed));
  const DisaggregationSpec* disaggregation = scenario.disaggregation ? &*scenario.disaggregation : nullptr;
  m.serving = std::make_unique<ServingCluster>(engine, pools, std::move(streams), scenario.pool_split, m.fabric.get(),
                                               disaggregation);
  ColumnarWriter* table =
      scenario.output.requests_table ? &out.table("requests", ServingMetrics::table_columns()) : nullptr;
  std::vector<ServingPoolView> views;
  for (std::size_t i = 0; i < pools.size(); ++i) {
    ServingSystem& pool = m.serving->pool(i);
    const std::string pool_prefix = pools.size() > 1 ? pools[i]->router.name + "." : std::string();
    const auto prefix = sampler.name_prefix(pool_prefix);
    m.serving_metrics.push_back(std::make_unique<ServingMetrics>(engine, pool.router(), *pools[i], sampler, table,
                                                                 static_cast<std::int64_t>(i),
                                                                 scenario.output.slo_window));
    pool.on_replica_created.connect(
        [metrics = m.serving_metrics.back().get()](int gpus) { metrics->replica_created(gpus); });
    views.push_back({pools[i]->router.name, &pool.router(), m.serving_metrics.back().get(), {}});
    if (pools[i]->replica.prefix_caching)
      m.prefix_cache.emplace_back(std::make_unique<PrefixCacheMetrics>(pool.router(), sampler), pool_prefix);
    if (disaggregation && i == disaggregation->prefill_pool) {
      views.back().phase = RequestPhase::kPrefillOnly;
      m.serving_metrics.back()->completions_handed_off();
    }
    if (disaggregation && i == disaggregation->decode_pool) views.back().phase = RequestPhase::kDecodeOnly;
  }
  if (KvHandoff* handoff = m.serving->handoff())
    m.kv_transfers = std::make_unique<KvTransferMetrics>(
        handoff->on_transfer_done, [handoff] { return static_cast<double>(handoff->in_flight()); }, sampler);
  std::vector<CostPoolView> cost_views;
  for (std::size_t i = 0; i < pools.size(); ++i)
    cost_views.push_back({pools[i]->router.name, &m.serving->pool(i).router(), m.serving_metrics[i].get(), pools[i]});
  m.cost = std::make_unique<CostEnergyMetrics>(engine, std::move(cost_views), sampler);
  for (std::size_t i = 0; i < pools.size(); ++i) {
    ServingSystem& pool = m.serving->pool(i);
    pool.on_replica_created.connect([cost = m.cost.get(), i](int) { cost->replica_provisioned(i); });
    views[i].cost_usd = [cost = m.cost.get(), i] { return cost->figures(i).total_usd(); };
    // Spot reclaims, connected after the listeners so that they hear of a replica first.
    const double rate = pools[i]->billing.spot_interruptions_per_s;
    if (rate <= 0) continue;
    RequestRouter* router = &pool.router();
    m.spot.push_back(std::make_unique<SpotInterruptions>(engine, rate, pools[i]->router.name, [router](std::uint32_t id) {
      Replica& r = *router->replicas().at(id);
      if (r.state() == ReplicaState::kStopped || r.state() == ReplicaState::kDraining) return false;
      r.drain();
      return true;
    }));
    // The replica about to join is the router's next.
    pool.on_replica_created.connect(
        [spot = m.spot.back().get(), router](int) { spot->provisioned(router->next_replica_id()); });
    m.spot.back()->on_interruption.connect([cost = m.cost.get(), i](std::uint32_t) { cost->spot_interrupted(i); });
  }
  m.serving_totals = std::make_unique<ServingClusterMetrics>(std::move(views), sampler, table, engine,
                                                             scenario.output.slo_window);
  for (std::size_t i = 0; i < pools.size(); ++i)
    m.serving->pool(i).on_replica_created.connect(
        [totals = m.serving_totals.get()](int) { totals->replicas_changed(); });
  m.serving->on_unroutable.connect(
      [totals = m.serving_totals.get()](const RequestOutcome& o) { totals->unroutable(o); });
  if (WeightLoader* loader = m.serving->weight_loader())
    m.weight_loads = std::make_unique<WeightLoadMetrics>(*loader, sampler);
}

void build(const Scenario& scenario, Engine& engine, TimelineSampler& sampler, RunFile& out, Models& m) {
  const bool table = scenario.output.requests_table;
  if (scenario.queueing) {
    m.pool = std::make_unique<ServerPool>(engine, *scenario.queueing);
    m.pool_metrics = std::make_unique<PoolMetrics>(
        engine, *m.pool, sampler, table ? &out.table("requests", PoolMetrics::table_columns()) : nullptr);
  }
  // The fabric first: serving replicas are placed on its topology, training's traffic and
  // collective jobs share its links.
  const std::vector<const ServingPoolSpec*> pools = scenario.all_serving_pools();
  if (scenario.network) {
    m.fabric = std::make_unique<Fabric>(engine, scenario.network->topology, scenario.network->tuning);
    if (!scenario.network->jobs.empty()) m.network = std::make_unique<NetworkWorkload>(*m.fabric, *scenario.network);
  }
  if (!pools.empty()) {
    // Placing the pools on the topology is where too many initial replicas show: an input
    // error, reported at the scenario's key.
    try {
      build_serving(scenario, pools, engine, sampler, out, m);
    } catch (const std::invalid_argument& e) {
      if (scenario.serving_where.empty() || !scenario.network) throw;
      throw ConfigError(scenario.serving_where + ": " + e.what());
    }
  }
  if (scenario.training) {
    m.training = std::make_unique<TrainingSystem>(engine, *scenario.training, m.fabric.get());
    m.job_metrics =
        std::make_unique<JobMetrics>(m.training->scheduler(), sampler, &out.table("jobs", JobMetrics::table_columns()),
                                     m.training->model_jobs(), scenario.training->usd_per_gpu_hour);
    m.training->on_job_submitted.connect(
        [metrics = m.job_metrics.get()](std::uint64_t id, const TrainingJobSpec* job, double usd_per_gpu_hour) {
          metrics->job_submitted(id, job, usd_per_gpu_hour);
        });
    if (scenario.training->gpu)
      m.training_energy = std::make_unique<TrainingEnergyMetrics>(engine, m.training->scheduler(),
                                                                  *scenario.training->gpu,
                                                                  scenario.training->billing, sampler);
    // Co-location: every serving pool's replicas borrow the cluster's GPUs.
    if (m.serving)
      for (std::size_t i = 0; i < m.serving->size(); ++i) m.serving->pool(i).set_gpu_lender(m.training->lender(i));
  }
  // Link timelines and the /collectives table only where collective jobs run; otherwise the
  // training cluster's listener draws its jobs' traffic on the fabric's links.
  if (scenario.network) m.topology = &scenario.network->topology;
  if (m.network) {
    m.network_metrics = std::make_unique<NetworkMetrics>(*m.network, sampler,
                                                         &out.table("collectives", NetworkMetrics::table_columns()));
  }
  // Training jobs' per-link DP traffic, under the link_util_* names collective jobs use otherwise.
  if (m.training && m.training->network_speed() && !m.network_metrics)
    m.job_metrics->watch_links(*m.training->network_speed(), sampler, 4);
}

void write_summaries(const Models& m, RunFile& out, Time horizon) {
  if (m.pool_metrics) m.pool_metrics->write_summary(out, horizon);
  if (m.serving_totals) {
    m.serving_totals->write_summary(out, horizon);
    for (const auto& [metrics, prefix] : m.prefix_cache) metrics->write_summary(out, prefix);
    const std::size_t n = m.serving->size();
    std::int64_t added = 0, removed = 0, shortfall = 0;
    bool any = false;
    for (std::size_t i = 0; i < n; ++i) {
      const Autoscaler* a = m.serving->pool(i).autoscaler();
      if (!a) continue;
      any = true;
      added += static_cast<std::int64_t>(a->replicas_added());
      removed += static_cast<std::int64_t>(a->replicas_removed());
      shortfall += static_cast<std::int64_t>(a->capacity_shortfall());
      if (n > 1) {
        const std::string prefix = m.serving->pool(i).spec().router.name + ".";
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
    out.summary("trace_rows_skipped", static_cast<std::int64_t>(m.serving->skipped_rows()));
    if (m.kv_transfers) m.kv_transfers->write_summary(out);
    m.cost->write_summary(out, horizon);
    if (m.weight_loads) m.weight_loads->write_summary(out);
  }
  if (m.topology) out.summary("topology", describe(*m.topology));
  if (m.network_metrics) m.network_metrics->write_summary(out);
  if (m.job_metrics) {
    m.job_metrics->write_summary(out, horizon);
    if (m.training_energy) m.training_energy->write_summary(out, horizon);
    if (m.training->spec().spot_reclaims_per_node_s > 0)
      out.summary("spot_reclaims", static_cast<std::int64_t>(m.training->spot_reclaims()));
    if (const JobSource* trace = m.training->trace())
      out.summary("job_trace_rows_skipped", static_cast<std::int64_t>(trace->skipped_rows()));
  }
}

// Requests a pool refused for their length or could never serve, one line per kind and pool.
std::vector<std::string> serving_losses(const ServingCluster& serving) {
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < serving.size(); ++i) {
    const RequestRouter& router = serving.pool(i).router();
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

std::optional<double> summary_number(const RunResult& r, const std::string& name) {
  for (const auto& [key, value] : r.summary)
    if (key == name) return std::stod(value);
  return std::nullopt;
}

// The baseline's file beside the run's: out/x.h5 -> out/x.baseline.h5.
std::filesystem::path baseline_output(const std::filesystem::path& main) {
  std::filesystem::path p = main;
  p.replace_extension(".baseline.h5");
  return p;
}

}  // namespace

void build_scenario(const Scenario& scenario, const std::filesystem::path& scratch) {
  RunFile out(scratch);
  out.declare_summary(run_output_keys());
  Engine engine(scenario.seed);
  TimelineSampler sampler(engine, scenario.simulation.sample_interval);
  Models models;
  build(scenario, engine, sampler, out, models);
  sampler.open_timeline(out);  // every series declared, in its unit
}

RunResult run_scenario(const Scenario& scenario, const RunOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();
  // The baseline first, into its own file; its figures are subtracted in this run's summary.
  std::optional<RunResult> baseline;
  if (scenario.baseline) {
    LoadOptions load;
    load.overrides = scenario.baseline->overrides;
    load.without = scenario.baseline->without;
    load.seed = scenario.seed;
    load.read_baseline = false;
    RunOptions inner;
    inner.output = baseline_output(options.output);
    inner.command_line = options.command_line + " (baseline)";
    baseline = run_scenario(load_scenario(scenario.baseline->file, load), inner);
  }
  RunFile out(options.output);
  out.declare_summary(run_output_keys());
  write_meta(out, scenario, options);

  Engine engine(scenario.seed);
  const Time horizon = scenario.simulation.horizon;
  TimelineSampler sampler(engine, scenario.simulation.sample_interval);
  Models models;
  build(scenario, engine, sampler, out, models);

  std::unique_ptr<TraceExport> trace;
  if (options.trace_events)
    trace = std::make_unique<TraceExport>(engine, *options.trace_events, models.serving.get(), models.network.get(),
                                          models.training.get(), scenario.simulation.sample_interval);

  ColumnarWriter& timeline = sampler.open_timeline(out);
  if (models.pool) models.pool->start(horizon);
  if (models.serving) models.serving->start(horizon);
  if (models.network) models.network->start(horizon);
  if (models.training) models.training->start(horizon);
  sampler.start(timeline, horizon);
  bool drained = false;
  if (scenario.simulation.until_drained && models.serving)
    models.serving->on_drained.connect([&] {
      drained = true;
      engine.stop();
    });
  if (trace) trace->start(horizon);
  run_to_horizon(engine, horizon, options, wall_start, drained);
  // Rates and utilizations are averaged over the time the run covered: the makespan when drained.
  const Time end = drained ? engine.now() : horizon;
  if (models.serving) models.serving->finish();
  if (models.training) models.training->finish();
  if (trace) trace->commit(end);
  write_summaries(models, out, end);

  RunResult result;
  if (models.serving) result.warnings = serving_losses(*models.serving);
  result.events = engine.events_processed();
  result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  out.summary("events", static_cast<std::int64_t>(result.events));
  out.summary("simulated_s", end.seconds());
  if (scenario.simulation.until_drained) {
    // The last outcome's time; NaN when the cap came first (requests still unfinished).
    out.summary("makespan_s", drained ? end.seconds() : std::numeric_limits<double>::quiet_NaN());
  }
  if (baseline) {
    // What the scenario costs beyond its baseline (a spike's extra cost), for the figures
    // either run reports.
    result.summary = out.summary_entries();
    out.summary("baseline_file", baseline_output(options.output).string());
    for (const char* key : {"cost_usd", "energy_kwh", "gpu_hours", "requests_completed", "useful_gpu_hours"}) {
      const auto base = summary_number(*baseline, key);
      const auto self = summary_number(result, key);
      if (!base && !self) continue;
      out.summary(std::string("baseline_") + key, base.value_or(0));
      out.summary(std::string("extra_") + key, self.value_or(0) - base.value_or(0));
    }
    // Co-location: the training work the serving pool's loans cost, against the run without it.
    const auto& without = scenario.baseline->without;
    if (std::find(without.begin(), without.end(), "serving") != without.end())
      out.summary("training_gpu_hours_lost_to_serving", summary_number(*baseline, "useful_gpu_hours").value_or(0) -
                                                            summary_number(result, "useful_gpu_hours").value_or(0));
  }
  result.summary = out.summary_entries();
  result.summary_values = out.summary_values();
  out.commit();
  return result;
}

}  // namespace cs
