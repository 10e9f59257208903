#pragma once
// What a sweep file says (plain data; read_sweep_spec fills it): a base scenario, overrides
// every point shares, the swept settings (a grid: the cross product of each path's values, and
// a list of variants: alternatives that set several paths together), the seeds every setting is
// replicated over, and where the results go. A setting is a `--set` path and a value as the
// command line would write it ("serving.pool.initial_replicas" = "8").
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "sim/engine/time.hpp"
#include "sim/scenario/config_reader.hpp"

namespace cs {

using Setting = std::pair<std::string, std::string>;  // --set path, value (YAML text)

struct SweepAxis {
  std::string path;
  std::vector<std::string> values;
};

// The part of a sweep that `plan` shares: settings and seeds.
struct SweepGrid {
  std::vector<SweepAxis> axes;                // crossed with each other
  std::vector<std::vector<Setting>> variants;  // alternatives, each crossed with the axes
  std::vector<std::uint64_t> seeds;           // empty: the scenario's own seed
};

struct SweepSpec {
  std::filesystem::path scenario;  // resolved against the sweep file's folder
  std::vector<Setting> fixed;      // `set:`, applied before each point's settings
  SweepGrid grid;
  std::filesystem::path output;  // the folder for the point files and the index
  // Width of the windows the worst-window TTFT p99 is taken over (when the run's summary does
  // not give it): one autoscaler decision is minutes, so a burst inside one window shows.
  Time worst_window = Time::s(300);
};

// Reads `scenario:`, `set:`, `grid:`, `variants:`, `seeds:` / `replications:`, `output:`,
// `worst_window:`. Throws ConfigError (file:line:col, key path) for anything malformed.
SweepSpec read_sweep_spec(const std::filesystem::path& file);

// Pieces the plan reader uses too. `set:` as a map path -> value.
std::vector<Setting> read_settings_map(MapReader& r, std::string_view key);
// `grid:` and `variants:` of a map (seeds left empty).
SweepGrid read_sweep_grid(MapReader& r);
// `seeds:` (a list) or `replications: n` (seeds 1..n); empty when neither is given.
std::vector<std::uint64_t> read_seeds(MapReader& r);
// A scalar as written, or a sequence/map in YAML flow style: what `--set path=VALUE` takes.
std::string setting_value_text(const ConfigNode& node);
// The default output folder of a sweep or plan file: out/<kind>/<file stem>.
std::filesystem::path default_output_folder(const std::filesystem::path& file, const std::string& kind);

}  // namespace cs
