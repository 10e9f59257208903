#include "sim/planning/sweep_point.hpp"

#include <cstdio>

namespace cs {

std::vector<std::string> SweepPoint::overrides() const {
  std::vector<std::string> out;
  for (const auto& [path, value] : fixed) out.push_back(path + "=" + value);
  for (const auto& [path, value] : settings) out.push_back(path + "=" + value);
  return out;
}

std::string SweepPoint::key() const {
  std::string k = "scenario=" + std::filesystem::weakly_canonical(scenario).string() + "\n";
  for (const auto& o : overrides()) k += o + "\n";
  k += "seed=" + (seed ? std::to_string(*seed) : std::string("scenario")) + "\n";
  k += "worst_window_ns=" + std::to_string(worst_window.count_ns());
  return k;
}

std::string SweepPoint::stem() const {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a, 64 bit
  for (const unsigned char c : key()) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "p%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::vector<std::vector<Setting>> expand_settings(const SweepGrid& grid) {
  std::vector<std::vector<Setting>> crossed{{}};
  for (const auto& axis : grid.axes) {
    std::vector<std::vector<Setting>> next;
    for (const auto& partial : crossed)
      for (const auto& value : axis.values) {
        next.push_back(partial);
        next.back().emplace_back(axis.path, value);
      }
    crossed = std::move(next);
  }
  const std::vector<std::vector<Setting>> variants =
      grid.variants.empty() ? std::vector<std::vector<Setting>>{{}} : grid.variants;
  std::vector<std::vector<Setting>> out;
  for (const auto& v : variants)
    for (const auto& c : crossed) {
      out.push_back(v);
      out.back().insert(out.back().end(), c.begin(), c.end());
    }
  return out;
}

std::vector<SweepPoint> expand_sweep(const SweepSpec& spec) {
  std::vector<SweepPoint> out;
  for (const auto& settings : expand_settings(spec.grid)) {
    SweepPoint p{spec.scenario, spec.fixed, settings, std::nullopt, spec.worst_window};
    if (spec.grid.seeds.empty()) {
      out.push_back(p);
      continue;
    }
    for (const auto seed : spec.grid.seeds) {
      p.seed = seed;
      out.push_back(p);
    }
  }
  return out;
}

}  // namespace cs
