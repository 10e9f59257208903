#pragma once
// A validated scenario: plain structs, no YAML. Built by load_scenario(); read by the
// simulation builder. Every later model adds its spec here as an optional section.
#include <cstdint>
#include <optional>
#include <string>

#include "sim/engine/time.hpp"
#include "sim/network/network_spec.hpp"
#include "sim/queueing/server_pool.hpp"
#include "sim/scenario/training_loader.hpp"
#include "sim/serving/serving_pool_spec.hpp"
#include "workloads/inference_workload.hpp"

namespace cs {

struct SimulationSettings {
  Time horizon;                        // simulated time the run covers
  Time sample_interval = Time::s(10);  // the /timeline clock
};

struct OutputSettings {
  bool requests_table = true;  // one /requests row per finished item
};

struct Scenario {
  std::string name;  // `name:`, or the file's stem
  std::string description;
  std::string source_file;    // as given on the command line
  std::string source_text;    // the file's text, verbatim
  std::string resolved_yaml;  // after extends/!include/--set, as the run used it
  std::uint64_t seed = 1;
  SimulationSettings simulation;
  OutputSettings output;
  // At most one request workload model: a generic queue, or LLM serving fed by `workload:`.
  std::optional<ServerPoolSpec> queueing;
  std::optional<NetworkSpec> network;  // `topology:` + `collectives:`
  std::optional<ServingPoolSpec> serving;
  std::optional<InferenceWorkloadSpec> workload;  // with `serving:` (and only then)
  // `cluster:` + `training:` / `jobs:`: a GPU cluster scheduler with its jobs. Alone, or beside
  // `serving:` (co-location: serving's replicas borrow the cluster's GPUs).
  std::optional<TrainingClusterSpec> training;
};

}  // namespace cs
