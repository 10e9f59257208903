#pragma once
// Every file a run reads, as it read them: each YAML file the scenario's load opened (the
// scenario, its extends: and !include files, the GPU, model and price catalogs, the engine
// profiles, a compare_to baseline's scenario and its data files), then the traces and job
// lists the scenario names. The run's /meta records them and a sweep or plan point's resume
// key (sim/planning/point_inputs.hpp) is made of them, so both name exactly the bytes a result
// came from, from one list.
#include <filesystem>
#include <string>
#include <vector>

#include "sim/io/file_digest.hpp"
#include "sim/scenario/scenario.hpp"

namespace cs {

struct RunInput {
  // The scenario key that named a trace or job file ("workload.trace.path"); kLoadedByConfig
  // for a file the load itself opened.
  std::string key;
  std::filesystem::path path;  // canonical where it resolves
  FileDigest digest;
};
inline constexpr const char* kLoadedByConfig = "config";

// Each file once (by canonical path), in the order the load read them. Throws
// std::runtime_error when one cannot be read.
std::vector<RunInput> run_inputs(const Scenario& scenario);

}  // namespace cs
