#include "sim/simulation/simulation.hpp"

#include <chrono>
#include <ctime>
#include <memory>

#include "sim/engine/engine.hpp"
#include "sim/io/run_file.hpp"
#include "sim/metrics/network_metrics.hpp"
#include "sim/metrics/pool_metrics.hpp"
#include "sim/metrics/timeline_sampler.hpp"
#include "sim/queueing/server_pool.hpp"

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

}  // namespace

RunResult run_scenario(const Scenario& scenario, const RunOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();
  RunFile out(options.output);
  write_meta(out, scenario, options);

  Engine engine(scenario.seed);
  const Time horizon = scenario.simulation.horizon;
  TimelineSampler sampler(engine, scenario.simulation.sample_interval);

  std::unique_ptr<ServerPool> pool;
  std::unique_ptr<PoolMetrics> metrics;
  if (scenario.queueing) {
    pool = std::make_unique<ServerPool>(engine, *scenario.queueing);
    ColumnarWriter* requests =
        scenario.output.requests_table ? &out.table("requests", PoolMetrics::table_columns()) : nullptr;
    metrics = std::make_unique<PoolMetrics>(engine, *pool, sampler, requests);
  }
  std::unique_ptr<NetworkWorkload> network;
  std::unique_ptr<NetworkMetrics> network_metrics;
  if (scenario.network) {
    network = std::make_unique<NetworkWorkload>(engine, *scenario.network);
    network_metrics = std::make_unique<NetworkMetrics>(*network, sampler,
                                                       &out.table("collectives", NetworkMetrics::table_columns()));
  }

  ColumnarWriter& timeline = out.timeline(sampler.columns());
  if (pool) pool->start(horizon);
  if (network) network->start(horizon);
  sampler.start(timeline, horizon);

  auto report = [&] {
    if (!options.progress) return;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    options.progress({engine.now(), horizon, engine.events_processed(), wall});
  };
  while (!engine.run_until(horizon, kEventsPerSlice)) report();
  report();

  if (metrics) metrics->write_summary(out, horizon);
  if (network_metrics) network_metrics->write_summary(out);
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
