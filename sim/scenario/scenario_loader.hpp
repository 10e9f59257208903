#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace cs {

struct LoadOptions {
  std::vector<std::string> overrides;  // "path=value", applied in order after extends/!include
  std::optional<std::uint64_t> seed;   // replaces the scenario's seed
  std::vector<std::string> without;    // top-level sections dropped before reading (a baseline's)
  bool read_baseline = true;           // false: `compare_to:` is checked for form only (a baseline's own)
};

// Reads, merges and validates a scenario file. Throws ConfigError (bad input) with the
// location, the YAML path and what was expected.
Scenario load_scenario(const std::filesystem::path& file, const LoadOptions& options = {});

}  // namespace cs
