#pragma once
// What one point left behind: status, error, wall time and the run's /summary (as written,
// text), kept as <folder>/points/<stem>.json beside <stem>.h5. The JSON is written to a
// temporary name and renamed, so a sweep killed at any instant leaves whole results only; a
// later sweep reuses every one whose key matches, whose status is ok and whose inputs are
// unchanged (point_inputs.hpp).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/planning/sweep_point.hpp"

namespace cs {

using SummaryValues = std::vector<std::pair<std::string, std::string>>;

struct PointResult {
  std::string key;
  bool ok = false;
  std::string error;  // why it failed: the message of the error, or how the process ended
  double wall_s = 0;
  std::uint64_t seed = 0;  // the seed the run used (the scenario's when the point sets none)
  SummaryValues summary;
  std::string run_file;  // the point's HDF5, relative to the sweep folder
  std::string inputs;    // the build and the files it read (point_inputs.hpp); "" when it did not load

  std::string json() const;
  static PointResult from_json(const std::string& text);  // throws std::runtime_error
};

std::filesystem::path point_result_file(const std::filesystem::path& folder, const SweepPoint& p);
std::filesystem::path point_run_file(const std::filesystem::path& folder, const SweepPoint& p);
// Atomic (temporary file + rename).
void write_point_result(const std::filesystem::path& folder, const SweepPoint& p, const PointResult& r);
// The stored result of this very point (same key), if any.
std::optional<PointResult> read_point_result(const std::filesystem::path& folder, const SweepPoint& p);

// A summary value as a number: NaN when absent or not a number ("inf" reads as infinity).
double summary_number(const SummaryValues& s, const std::string& key);

}  // namespace cs
