#include "sim/planning/point_inputs.hpp"

#include <exception>

#include "sim/io/build_id.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/simulation/run_inputs.hpp"

namespace cs {

Scenario load_point_scenario(const SweepPoint& p) {
  LoadOptions load;
  load.overrides = p.overrides();
  load.seed = p.seed;
  return load_scenario(p.scenario, load);
}

std::string point_inputs(const Scenario& scenario) {
  std::string text = std::string("clustersim ") + CLUSTERSIM_VERSION + " build " + build_id() + "\n";
  for (const RunInput& f : run_inputs(scenario))
    text += f.path.string() + " " + std::to_string(f.digest.bytes) + " " + f.digest.sha256 + "\n";
  return text;
}

std::string point_inputs(const SweepPoint& p) {
  try {
    return point_inputs(load_point_scenario(p));
  } catch (const std::exception& e) {
    return std::string("does not load: ") + e.what() + "\n";
  }
}

}  // namespace cs
