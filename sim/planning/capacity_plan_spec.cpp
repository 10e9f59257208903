#include "sim/planning/capacity_plan_spec.hpp"

#include "sim/planning/slo_figures.hpp"

namespace cs {

namespace {

std::vector<SloBound> read_slo(MapReader r) {
  std::vector<SloBound> out;
  // The named objectives, then any summary value by name under `at_most:` / `at_least:`.
  if (r.has("ttft_p99")) out.push_back({"ttft_p99", "ttft_p99_s", r.duration("ttft_p99").seconds(), true, "s"});
  if (r.has("tpot_p99")) out.push_back({"tpot_p99", "tpot_p99_s", r.duration("tpot_p99").seconds(), true, "s"});
  if (r.has("attainment")) {
    const double a = r.quantity("attainment", Dimension::kRatio);
    r.check_range("attainment", a, 0, 1);
    out.push_back({"attainment", "slo_attainment", a, false, "%"});
  }
  if (r.has("worst_window_ttft_p99"))
    out.push_back({"worst_window_ttft_p99", kWorstWindowTtftKey, r.duration("worst_window_ttft_p99").seconds(), true,
                   "s"});
  for (const bool at_most : {true, false}) {
    const char* key = at_most ? "at_most" : "at_least";
    if (!r.has(key)) continue;
    MapReader m = r.map(key);
    for (const auto& [name, value] : m.node().entries)
      out.push_back({std::string(key) + "." + name, name, m.number(name), at_most, ""});
    m.finish();
  }
  if (out.empty()) r.fail("", "names no objective (ttft_p99, tpot_p99, attainment, worst_window_ttft_p99, at_most, at_least)");
  r.finish();
  return out;
}

CapacityKnob read_knob(MapReader r) {
  CapacityKnob k;
  if (r.has("path")) k.paths.push_back(r.string("path"));
  for (const auto& item : r.items("paths")) k.paths.push_back(read_string(item.node, item.path));
  if (k.paths.empty()) r.fail("path", "is required: the --set path (or `paths:`) of the searched count");
  k.min = static_cast<int>(r.integer_or("min", 1));
  k.max = static_cast<int>(r.integer("max"));
  r.check_range("min", k.min, 0, 1e6);
  r.check_range("max", k.max, k.min, 1e6);
  k.throughput_bound = r.boolean_or("throughput_bound", true);
  r.finish();
  return k;
}

}  // namespace

CapacityPlanSpec read_capacity_plan_spec(const std::filesystem::path& file) {
  const ConfigNode root = load_config_file(file);
  MapReader r(root, "");
  CapacityPlanSpec s;
  s.scenario = file.parent_path() / r.string("scenario");
  s.fixed = read_settings_map(r, "set");
  {
    MapReader c = r.map("candidates", true);
    s.candidates = read_sweep_grid(c);
    c.finish();
  }
  s.candidates.seeds = read_seeds(r);
  s.knob = read_knob(r.map("search"));
  s.slo = read_slo(r.map("slo"));
  s.cost_key = r.string_or("cost", s.cost_key);
  s.probes = static_cast<int>(r.integer_or("probes", s.probes));
  r.check_range("probes", s.probes, 1, 64);
  s.top = static_cast<int>(r.integer_or("top", s.top));
  r.check_range("top", s.top, 1, 1000);
  s.worst_window = r.duration_or("worst_window", s.worst_window);
  if (s.worst_window <= Time()) r.fail("worst_window", "must be positive");
  s.output = r.has("output") ? std::filesystem::path(r.string("output")) : default_output_folder(file, "plans");
  r.finish();
  return s;
}

}  // namespace cs
