#include "sim/simulation/simulation.hpp"

#include <chrono>
#include <ctime>

#include "sim/engine/engine.hpp"
#include "sim/io/run_file.hpp"
#include "sim/metrics/pool_metrics.hpp"
#include "sim/metrics/serving_metrics.hpp"
#include "sim/metrics/timeline_sampler.hpp"
#include "sim/queueing/server_pool.hpp"
#include "sim/simulation/serving_system.hpp"

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

void run_queueing(const Scenario& scenario, const RunOptions& options, Engine& engine, TimelineSampler& sampler,
                  RunFile& out, std::chrono::steady_clock::time_point wall_start) {
  const Time horizon = scenario.simulation.horizon;
  ServerPool pool(engine, *scenario.queueing);
  ColumnarWriter* requests =
      scenario.output.requests_table ? &out.table("requests", PoolMetrics::table_columns()) : nullptr;
  PoolMetrics metrics(engine, pool, sampler, requests);

  ColumnarWriter& timeline = out.timeline(sampler.columns());
  pool.start(horizon);
  sampler.start(timeline, horizon);
  run_to_horizon(engine, horizon, options, wall_start);
  metrics.write_summary(out, horizon);
}

void run_serving(const Scenario& scenario, const RunOptions& options, Engine& engine, TimelineSampler& sampler,
                 RunFile& out, std::chrono::steady_clock::time_point wall_start) {
  const Time horizon = scenario.simulation.horizon;
  ServingSystem system(engine, *scenario.serving, make_request_source(*scenario.workload, scenario.seed));
  ColumnarWriter* requests =
      scenario.output.requests_table ? &out.table("requests", ServingMetrics::table_columns()) : nullptr;
  ServingMetrics metrics(engine, system.router(), *scenario.serving, sampler, requests);
  system.on_replica_created.connect([&metrics](int gpus) { metrics.replica_created(gpus); });

  ColumnarWriter& timeline = out.timeline(sampler.columns());
  system.start(horizon);
  sampler.start(timeline, horizon);
  run_to_horizon(engine, horizon, options, wall_start);
  system.finish();
  metrics.write_summary(out, horizon);
  if (const Autoscaler* a = system.autoscaler()) {
    out.summary("autoscaler_replicas_added", static_cast<std::int64_t>(a->replicas_added()));
    out.summary("autoscaler_replicas_removed", static_cast<std::int64_t>(a->replicas_removed()));
    out.summary("autoscaler_capacity_shortfall", static_cast<std::int64_t>(a->capacity_shortfall()));
  }
  out.summary("trace_rows_skipped", static_cast<std::int64_t>(system.source().skipped_rows()));
}

}  // namespace

RunResult run_scenario(const Scenario& scenario, const RunOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();
  RunFile out(options.output);
  write_meta(out, scenario, options);

  Engine engine(scenario.seed);
  const Time horizon = scenario.simulation.horizon;
  TimelineSampler sampler(engine, scenario.simulation.sample_interval);
  if (scenario.serving)
    run_serving(scenario, options, engine, sampler, out, wall_start);
  else
    run_queueing(scenario, options, engine, sampler, out, wall_start);

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
