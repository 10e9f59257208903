#pragma once
// What a point's result depends on besides its settings (its key): the clustersim version and
// build, and the size and SHA-256 of every file its scenario reads (the scenario itself, its
// extends: and !include files, the GPU, model and price catalogs, the engine profiles, traces
// and job lists). A stored result is reused only when these are unchanged too, so a rerun after
// a model change, an edited catalog or a new build runs the point again.
#include <string>

#include "sim/planning/sweep_point.hpp"
#include "sim/scenario/scenario.hpp"

namespace cs {

// The point's scenario, loaded with its settings and seed. Throws as load_scenario does.
Scenario load_point_scenario(const SweepPoint& p);

// One line for the build ("clustersim 0.1.0 build <id>"), then one per file read
// ("<canonical path> <bytes> <sha256>"), in the order the load read them, each once. Throws
// std::runtime_error when a file cannot be read.
std::string point_inputs(const Scenario& scenario);

// The same for a point not loaded yet; when its scenario does not load (any more), a text
// naming the error, which matches no stored result.
std::string point_inputs(const SweepPoint& p);

}  // namespace cs
