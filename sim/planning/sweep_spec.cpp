#include "sim/planning/sweep_spec.hpp"

#include <cmath>
#include <cstdio>

namespace cs {

namespace {

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

// `{from: 2, to: 10, step: 2}`: from, from + step, ... up to `to` inclusive.
std::vector<std::string> range_values(MapReader r) {
  const double from = r.number("from");
  const double to = r.number("to");
  const double step = r.number_or("step", 1);
  r.finish();
  if (!(step > 0)) r.fail("step", "must be positive");
  if (to < from) r.fail("to", "is below `from`");
  // Counting steps (not adding them up) keeps 0.1-steps from drifting past `to`.
  const auto count = static_cast<long>(std::floor((to - from) / step + 1e-9)) + 1;
  if (count > 100000) r.fail("step", "gives more than 100000 values");
  std::vector<std::string> out;
  for (long i = 0; i < count; ++i) out.push_back(number_text(from + static_cast<double>(i) * step));
  return out;
}

}  // namespace

std::string setting_value_text(const ConfigNode& node) {
  switch (node.kind) {
    case ConfigNode::Kind::kScalar:
      return node.scalar;
    case ConfigNode::Kind::kNull:
      return "null";
    case ConfigNode::Kind::kSequence: {
      std::string out = "[";
      for (std::size_t i = 0; i < node.items.size(); ++i) out += (i ? ", " : "") + setting_value_text(node.items[i]);
      return out + "]";
    }
    case ConfigNode::Kind::kMap: {
      std::string out = "{";
      for (std::size_t i = 0; i < node.entries.size(); ++i)
        out += (i ? ", " : "") + node.entries[i].first + ": " + setting_value_text(node.entries[i].second);
      return out + "}";
    }
  }
  return {};
}

std::vector<Setting> read_settings_map(MapReader& r, std::string_view key) {
  std::vector<Setting> out;
  if (!r.has(key)) return out;
  MapReader m = r.map(key);
  for (const auto& [path, value] : m.node().entries) {
    m.optional(path);  // every path is accepted: the scenario loader checks it per point
    out.emplace_back(path, setting_value_text(value));
  }
  m.finish();
  return out;
}

SweepGrid read_sweep_grid(MapReader& r) {
  SweepGrid g;
  if (r.has("grid")) {
    MapReader m = r.map("grid");
    for (const auto& [path, value] : m.node().entries) {
      SweepAxis axis{path, {}};
      const std::string where = m.path_of(path);
      if (value.is_sequence()) {
        for (const auto& v : value.items) axis.values.push_back(setting_value_text(v));
      } else if (value.is_map()) {
        axis.values = range_values(MapReader(value, where));
      } else {
        throw_config_error(value.where, where, "expected a list of values or {from, to, step}");
      }
      if (axis.values.empty()) throw_config_error(value.where, where, "has no values");
      m.optional(path);
      g.axes.push_back(std::move(axis));
    }
    m.finish();
  }
  for (const auto& item : r.items("variants")) {
    if (!item.node.is_map()) throw_config_error(item.node.where, item.path, "expected a map of path: value");
    std::vector<Setting> v;
    for (const auto& [path, value] : item.node.entries) v.emplace_back(path, setting_value_text(value));
    if (v.empty()) throw_config_error(item.node.where, item.path, "sets nothing");
    g.variants.push_back(std::move(v));
  }
  return g;
}

std::vector<std::uint64_t> read_seeds(MapReader& r) {
  std::vector<std::uint64_t> seeds;
  if (r.has("seeds") && r.has("replications")) r.fail("replications", "give either `seeds` or `replications`");
  for (const auto& item : r.items("seeds")) {
    const std::int64_t s = read_integer(item.node, item.path);
    if (s < 0) throw_config_error(item.node.where, item.path, "must not be negative");
    seeds.push_back(static_cast<std::uint64_t>(s));
  }
  if (r.has("replications")) {  // seeds 1..n
    const std::int64_t n = r.integer("replications");
    r.check_range("replications", static_cast<double>(n), 1, 10000);
    for (std::int64_t s = 1; s <= n; ++s) seeds.push_back(static_cast<std::uint64_t>(s));
  }
  return seeds;
}

std::filesystem::path default_output_folder(const std::filesystem::path& file, const std::string& kind) {
  return std::filesystem::path("out") / kind / file.stem();
}

SweepSpec read_sweep_spec(const std::filesystem::path& file) {
  const ConfigNode root = load_config_file(file);
  MapReader r(root, "");
  SweepSpec s;
  s.scenario = file.parent_path() / r.string("scenario");
  s.fixed = read_settings_map(r, "set");
  s.grid = read_sweep_grid(r);
  s.grid.seeds = read_seeds(r);
  s.output = r.has("output") ? std::filesystem::path(r.string("output")) : default_output_folder(file, "sweeps");
  s.worst_window = r.duration_or("worst_window", s.worst_window);
  if (s.worst_window <= Time()) r.fail("worst_window", "must be positive");
  r.finish();
  return s;
}

}  // namespace cs
