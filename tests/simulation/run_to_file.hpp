#pragma once
// A scenario run to its end with its output file in a test's folder, for the tests that read
// the file back.
#include <filesystem>
#include <string>

#include "../scenario/scenario_test_files.hpp"
#include "sim/simulation/simulation.hpp"

namespace cs::test {

inline std::filesystem::path run_to_file(const TempDir& dir, const Scenario& scenario, const std::string& name = "s.h5") {
  RunOptions o;
  o.output = dir.path() / name;
  run_scenario(scenario, o);
  return o.output;
}

}  // namespace cs::test
