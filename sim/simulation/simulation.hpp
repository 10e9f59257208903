#pragma once
// The simulation builder and run loop: wires the models of a Scenario to an Engine, the
// metrics listeners and the HDF5 file, runs to the horizon, writes the summary and commits
// the file. This is the one place that knows which models a scenario asks for.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "sim/engine/time.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/simulation/trace_export.hpp"

namespace cs {

struct ProgressReport {
  Time now;
  Time horizon;
  std::uint64_t events = 0;
  double wall_s = 0;
};

struct RunOptions {
  std::filesystem::path output;
  std::optional<TraceExportOptions> trace_events;       // --trace-events
  std::string command_line;                             // recorded in /meta
  std::function<void(const ProgressReport&)> progress;  // called every ~1M events and at the end
};

struct RunResult {
  std::uint64_t events = 0;
  double wall_s = 0;
  std::vector<std::pair<std::string, std::string>> summary;  // as written to /summary
  // Requests the run lost that the summary counts but a reader may miss (for stderr).
  std::vector<std::string> warnings;
  std::vector<std::pair<std::string, std::variant<double, std::int64_t, std::string>>> summary_values;  // typed
};

// Throws on a simulation error; the output file then does not exist.
RunResult run_scenario(const Scenario& scenario, const RunOptions& options);

// Builds every model of the scenario and its listeners as run_scenario does (the fabric, the
// serving pools placed on it, collective jobs, the training cluster), without running them:
// `validate --build`. Throws what building throws in a run (ConfigError at the scenario's key
// for what only building finds). The output is opened at `scratch` and never committed, so
// no file is left there.
void build_scenario(const Scenario& scenario, const std::filesystem::path& scratch);

}  // namespace cs
