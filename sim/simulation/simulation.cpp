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

#include "sim/engine/engine.hpp"
#include "sim/io/run_file.hpp"
#include "sim/metrics/output_tables.hpp"
#include "sim/metrics/timeline_sampler.hpp"
#include "sim/metrics/weight_load_metrics.hpp"
#include "sim/network/fabric.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/simulation/run_inputs.hpp"
#include "sim/simulation/subsystem.hpp"

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
  // Every file the run read, exactly as read: which key named it, where, how many bytes, which bytes.
  const std::vector<RunInput> inputs = run_inputs(s);
  out.meta("input_files", static_cast<std::int64_t>(inputs.size()));
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::string prefix = "input_file_" + std::to_string(i) + "_";
    out.meta(prefix + "key", inputs[i].key);
    out.meta(prefix + "path", inputs[i].path.string());
    out.meta(prefix + "bytes", static_cast<std::int64_t>(inputs[i].digest.bytes));
    out.meta(prefix + "sha256", inputs[i].digest.sha256);
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

// The run's shared parts and its subsystems, built in the registry's order: the fabric first
// (serving replicas are placed on its topology, training's traffic and collective jobs share
// its links).
struct Models {
  std::unique_ptr<Fabric> fabric;
  std::vector<std::unique_ptr<Subsystem>> subsystems;
};

Models build(SubsystemContext& ctx) {
  Models m;
  const Scenario& scenario = ctx.scenario;
  if (scenario.network) {
    m.fabric = std::make_unique<Fabric>(ctx.engine, scenario.network->topology, scenario.network->tuning);
    ctx.fabric = m.fabric.get();
  }
  m.subsystems = build_subsystems(ctx);
  return m;
}

}  // namespace

void build_scenario(const Scenario& scenario, const std::filesystem::path& scratch) {
  RunFile out(scratch);
  out.declare_summary(run_output_keys());
  Engine engine(scenario.seed);
  TimelineSampler sampler(engine, scenario.simulation.sample_interval);
  SubsystemContext ctx(scenario, engine, sampler, out);
  const Models models = build(ctx);
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
  bool drained = false;
  SubsystemContext ctx(scenario, engine, sampler, out);
  ctx.drained = [&] {
    drained = true;
    engine.stop();
  };
  Models models = build(ctx);

  std::unique_ptr<TraceExport> trace;
  if (options.trace_events)
    trace = std::make_unique<TraceExport>(engine, *options.trace_events, ctx.serving, ctx.collectives, ctx.training,
                                          scenario.simulation.sample_interval);

  ColumnarWriter& timeline = sampler.open_timeline(out);
  for (const auto& s : models.subsystems) s->start(horizon);
  sampler.start(timeline, horizon);
  if (trace) trace->start(horizon);
  run_to_horizon(engine, horizon, options, wall_start, drained);
  // Rates and utilizations are averaged over the time the run covered: the makespan when drained.
  const Time end = drained ? engine.now() : horizon;
  for (const auto& s : models.subsystems) s->finish();
  if (trace) trace->commit(end);
  for (const auto& s : models.subsystems) s->write_summary(out, end);

  RunResult result;
  for (const auto& s : models.subsystems)
    for (std::string& line : s->warnings()) result.warnings.push_back(std::move(line));
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
