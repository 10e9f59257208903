#pragma once
// The checks across a scenario's sections, once every section is read and each spec passed
// its own validate(): workloads against the pools that serve them (prompt limits, prefix
// blocks), pools against the topology (replica slots, the object store weights load from),
// co-located pools against the training cluster's GPU, `horizon: drain` against what runs on,
// and that there is a model at all. Called once by load_scenario, so `clustersim validate`
// refuses what building the models would.
#include "sim/scenario/config_reader.hpp"
#include "sim/scenario/scenario.hpp"

namespace cs {

// Throws ConfigError at the first problem, located at the key (in `r`, the scenario's root) it concerns.
void validate_scenario(MapReader& r, const Scenario& s);

}  // namespace cs
