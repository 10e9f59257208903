#pragma once
// The scenario-loading flags shared by run and validate (--seed, --set).
#include "sim/app/cli_support.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace cs {

LoadOptions scenario_load_options(const po::variables_map& vm);

}  // namespace cs
