#pragma once
// The scenario-loading flags shared by the commands that read a scenario: --help, the
// positional SCENARIO, --seed and --set.
#include "sim/app/cli_support.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace cs {

void add_scenario_options(po::options_description& options);
// SCENARIO as the first positional word.
po::positional_options_description scenario_positional();
LoadOptions scenario_load_options(const po::variables_map& vm);

}  // namespace cs
