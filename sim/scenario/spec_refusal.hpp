#pragma once
// A spec's validate() problems (sim/engine/spec_problem.hpp) as the loader's input errors.
#include "sim/engine/spec_problem.hpp"
#include "sim/scenario/config_reader.hpp"

namespace cs {

// Refuses a spec whose validate() found problems: a ConfigError for the first, at the value
// its key path names under `section` (or at the deepest part of that path the file wrote,
// when the value is a default). No problems: returns.
void refuse(const MapReader& section, const SpecProblems& problems);

}  // namespace cs
