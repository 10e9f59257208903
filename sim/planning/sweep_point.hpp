#pragma once
// One point of a sweep or plan: the base scenario, its settings and its seed; and the grid's
// expansion into points. A point is known by its key (scenario, every override in order,
// seed): a result on disk is reused only when its key is the same and so are its inputs (the
// build and the files it read: point_inputs.hpp), so a sweep resumed after its file changed
// reruns exactly the points that changed, and one rerun after a new build or an edited catalog
// runs them all again. Its files are named by a hash of the key, so the same setting run by
// `sweep` or `plan` lands in one place (and a point run again replaces its stale files).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/planning/sweep_spec.hpp"

namespace cs {

struct SweepPoint {
  std::filesystem::path scenario;
  std::vector<Setting> fixed;     // shared by every point
  std::vector<Setting> settings;  // this point's own (the swept ones)
  std::optional<std::uint64_t> seed;
  Time worst_window = Time::s(300);

  std::vector<std::string> overrides() const;  // "path=value", fixed first
  std::string key() const;
  std::string stem() const;  // "p" + 16 hex digits of the key's FNV-1a hash
};

// Variants (or one empty variant) x the grid's cross product (last axis fastest) x the seeds.
std::vector<SweepPoint> expand_sweep(const SweepSpec& spec);
// The settings of `grid` without seeds, in the same order.
std::vector<std::vector<Setting>> expand_settings(const SweepGrid& grid);

}  // namespace cs
