#pragma once
// A validated scenario: plain structs, no YAML. Built by load_scenario(); read by the
// simulation builder. Every later model adds its spec here as an optional section.
#include <any>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/engine/time.hpp"
#include "sim/network/network_spec.hpp"
#include "sim/scenario/training_loader.hpp"
#include "sim/serving/kv_transfer.hpp"
#include "sim/serving/pool_selector.hpp"
#include "sim/serving/serving_pool_spec.hpp"
#include "workloads/inference_workload.hpp"

namespace cs {

struct SimulationSettings {
  Time horizon;                        // simulated time the run covers (with until_drained: its cap)
  // `horizon: drain`: the run ends when the last request of the (finite) serving workload
  // has its outcome, or at the cap `horizon`, whichever comes first.
  bool until_drained = false;
  Time sample_interval = Time::s(10);  // the /timeline clock
};

struct OutputSettings {
  bool requests_table = true;  // one /requests row per finished item
  Time slo_window = Time::s(300);  // the span of worst_window_ttft_p99_s
};

// `compare_to:`: the run to subtract (sim/simulation: the extra cost of a spike). The same
// file with more `--set` overrides, or another scenario file; run beside the main one.
struct BaselineSpec {
  std::filesystem::path file;
  std::vector<std::string> overrides;  // the main run's, then the baseline's own
  std::vector<std::string> without;    // top-level sections removed (`serving`: the run without serving)
};

// A file the run reads besides the scenario (a request trace, a job list): the key that named
// it and the absolute path it resolved to. /meta records each one's size and SHA-256.
struct InputFile {
  std::string key;   // "workload.trace.path"
  std::string path;  // absolute
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
  std::optional<BaselineSpec> baseline;
  // The spec of each subsystem whose section no other section reads, by its section name
  // (`queueing`: a ServerPoolSpec), as its reader (sim/scenario/subsystem_list.hpp) stored it:
  // a new subsystem keeps its spec here, so adding one leaves this struct alone.
  std::map<std::string, std::any> sections;
  template <typename Spec>
  const Spec* section(const std::string& name) const {
    const auto it = sections.find(name);
    return it == sections.end() ? nullptr : std::any_cast<Spec>(&it->second);
  }
  std::optional<NetworkSpec> network;  // `topology:` + `collectives:`
  // Every serving pool and every request stream, in one normalised form: `serving:` and
  // `workload:` written as one map are read as a one-element list.
  std::vector<ServingPoolSpec> serving_pools;
  std::vector<InferenceWorkloadSpec> workload_streams;
  PoolSplit pool_split = PoolSplit::kSmoothRoundRobin;  // `pool_split:`
  // `disaggregation:`: two pools of serving_pools as the prefill and decode phases.
  std::optional<DisaggregationSpec> disaggregation;

  // The pools and streams by address, as the serving models take them.
  std::vector<const ServingPoolSpec*> all_serving_pools() const {
    std::vector<const ServingPoolSpec*> out;
    for (const auto& p : serving_pools) out.push_back(&p);
    return out;
  }
  std::vector<const InferenceWorkloadSpec*> all_workloads() const {
    std::vector<const InferenceWorkloadSpec*> out;
    for (const auto& w : workload_streams) out.push_back(&w);
    return out;
  }
  // `cluster:` + `training:` / `jobs:`: a GPU cluster scheduler with its jobs. Alone, or beside
  // `serving:` (co-location: serving's replicas borrow the cluster's GPUs).
  std::optional<TrainingClusterSpec> training;
  std::vector<InputFile> input_files;  // in the order the scenario names them
  // Every other file the run reads, so that a stored result can tell whether it is stale (sweep
  // and plan resume): each YAML file the load read (the scenario, its extends: and !include
  // files, the catalogs, the engine profiles, a compare_to baseline's), then a baseline's data files.
  std::vector<std::filesystem::path> config_files;
  // What is valid but likely not meant ("file:line:col: key: ..."): run and validate print them.
  std::vector<std::string> warnings;
};

}  // namespace cs
