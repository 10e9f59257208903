#include "sim/simulation/simulation.hpp"

#include <chrono>
#include <ctime>
#include <memory>

#include "sim/engine/engine.hpp"
#include "sim/io/run_file.hpp"
#include "sim/metrics/job_metrics.hpp"
#include "sim/metrics/network_metrics.hpp"
#include "sim/metrics/pool_metrics.hpp"
#include "sim/metrics/serving_metrics.hpp"
#include "sim/metrics/timeline_sampler.hpp"
#include "sim/queueing/server_pool.hpp"
#include "sim/simulation/serving_system.hpp"
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
  out.meta("units", std::string("SI throughout: seconds, bytes, bytes/s, watts, USD. Every dataset has a `units` "
                                "attribute; every /summary name ends in its unit (_s, _usd, _bytes) or is a count."));
}

// Runs the engine to the horizon in slices, reporting progress between them.
void run_to_horizon(Engine& engine, Time horizon, const RunOptions& options,
                    std::chrono::steady_clock::time_point wall_start) {
  auto report = [&] {
    if (!options.progress) return;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    options.progress({engine.now(), horizon, engine.events_processed(), wall});
  };
  while (!engine.run_until(horizon, kEventsPerSlice)) report();
  report();
}

// The models a scenario asks for, each with its listener. A scenario has at most one request
// workload (a generic queue or LLM serving) and, beside it or alone, collectives on a topology.
struct Models {
  std::unique_ptr<ServerPool> pool;
  std::unique_ptr<PoolMetrics> pool_metrics;
  std::unique_ptr<ServingSystem> serving;
  std::unique_ptr<ServingMetrics> serving_metrics;
  std::unique_ptr<NetworkWorkload> network;
  std::unique_ptr<NetworkMetrics> network_metrics;
  std::unique_ptr<TrainingSystem> training;
  std::unique_ptr<JobMetrics> job_metrics;
};

void build(const Scenario& scenario, Engine& engine, TimelineSampler& sampler, RunFile& out, Models& m) {
  const bool table = scenario.output.requests_table;
  if (scenario.queueing) {
    m.pool = std::make_unique<ServerPool>(engine, *scenario.queueing);
    m.pool_metrics = std::make_unique<PoolMetrics>(
        engine, *m.pool, sampler, table ? &out.table("requests", PoolMetrics::table_columns()) : nullptr);
  }
  if (scenario.serving) {
    m.serving = std::make_unique<ServingSystem>(engine, *scenario.serving,
                                                make_request_source(*scenario.workload, scenario.seed));
    m.serving_metrics =
        std::make_unique<ServingMetrics>(engine, m.serving->router(), *scenario.serving, sampler,
                                         table ? &out.table("requests", ServingMetrics::table_columns()) : nullptr);
    m.serving->on_replica_created.connect(
        [metrics = m.serving_metrics.get()](int gpus) { metrics->replica_created(gpus); });
  }
  if (scenario.training) {
    m.training = std::make_unique<TrainingSystem>(engine, *scenario.training,
                                                  scenario.network ? &scenario.network->topology : nullptr);
    m.job_metrics =
        std::make_unique<JobMetrics>(m.training->scheduler(), sampler, &out.table("jobs", JobMetrics::table_columns()),
                                     m.training->model_jobs(), scenario.training->usd_per_gpu_hour);
    m.training->on_job_submitted.connect(
        [metrics = m.job_metrics.get()](std::uint64_t id, const TrainingJobSpec* job, double usd_per_gpu_hour) {
          metrics->job_submitted(id, job, usd_per_gpu_hour);
        });
    if (m.serving) m.serving->set_gpu_lender(m.training->lender());  // co-location
  }
  // A topology without collective jobs is the training cluster's: no collective workload.
  if (scenario.network && !scenario.network->jobs.empty()) {
    m.network = std::make_unique<NetworkWorkload>(engine, *scenario.network);
    m.network_metrics = std::make_unique<NetworkMetrics>(*m.network, sampler,
                                                         &out.table("collectives", NetworkMetrics::table_columns()));
  }
}

void write_summaries(const Models& m, RunFile& out, Time horizon) {
  if (m.pool_metrics) m.pool_metrics->write_summary(out, horizon);
  if (m.serving_metrics) {
    m.serving_metrics->write_summary(out, horizon);
    if (const Autoscaler* a = m.serving->autoscaler()) {
      out.summary("autoscaler_replicas_added", static_cast<std::int64_t>(a->replicas_added()));
      out.summary("autoscaler_replicas_removed", static_cast<std::int64_t>(a->replicas_removed()));
      out.summary("autoscaler_capacity_shortfall", static_cast<std::int64_t>(a->capacity_shortfall()));
    }
    out.summary("trace_rows_skipped", static_cast<std::int64_t>(m.serving->source().skipped_rows()));
  }
  if (m.network_metrics) m.network_metrics->write_summary(out);
  if (m.job_metrics) {
    m.job_metrics->write_summary(out, horizon);
    if (const JobSource* trace = m.training->trace())
      out.summary("job_trace_rows_skipped", static_cast<std::int64_t>(trace->skipped_rows()));
  }
}

}  // namespace

RunResult run_scenario(const Scenario& scenario, const RunOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();
  RunFile out(options.output);
  write_meta(out, scenario, options);

  Engine engine(scenario.seed);
  const Time horizon = scenario.simulation.horizon;
  TimelineSampler sampler(engine, scenario.simulation.sample_interval);
  Models models;
  build(scenario, engine, sampler, out, models);

  ColumnarWriter& timeline = out.timeline(sampler.columns());
  if (models.pool) models.pool->start(horizon);
  if (models.serving) models.serving->start(horizon);
  if (models.network) models.network->start(horizon);
  if (models.training) models.training->start(horizon);
  sampler.start(timeline, horizon);
  run_to_horizon(engine, horizon, options, wall_start);
  if (models.serving) models.serving->finish();
  if (models.training) models.training->finish();
  write_summaries(models, out, horizon);

  RunResult result;
  result.events = engine.events_processed();
  result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  out.summary("events", static_cast<std::int64_t>(result.events));
  out.summary("simulated_s", horizon.seconds());
  result.summary = out.summary_entries();
  out.commit();
  return result;
}

}  // namespace cs
