#pragma once
// YAML -> ServingEngine: a serving engine's profile (configs/engines/<name>.yaml). The cost
// sections fill an EngineProfile; the `replica:` block holds the same keys as a serving pool's
// `replica:` (read by read_replica_limits) and gives that engine's scheduler defaults, which a
// pool's own `replica:` then overrides key by key (docs/SCENARIOS.md, "Serving engines").
//
//   name: vllm
//   description: ...
//   source: [https://..., ...]
//   host:    {iteration: 5 ms, prefill: 10 ms, per_sequence: 0 us}
//   kernels: {per_layer: 12, per_iteration: 4, gap: 2 us, dispatch: 25 us, cuda_graph_max_sequences: 0}
//   gemm:    {half_tokens: 64, fp8_efficiency: 90%}
//   attention: {efficiency: 60%, half_context: 256, stream_bandwidth: 100 GB/s}
//   replica: {max_num_seqs: 256, max_batched_tokens: 8192, ...}
//   memory:  {gpu_memory_utilization: 90%, runtime: 0.5 GiB, cuda_graphs: 0 GiB}
//            (or kv_cache_free_gpu_mem_fraction: 90% for an engine that budgets free memory)
#include <filesystem>
#include <string>
#include <vector>

#include "sim/llm/engine_profile.hpp"
#include "sim/llm/memory_model.hpp"
#include "sim/scenario/config_reader.hpp"
#include "sim/serving/replica.hpp"

namespace cs {

// The engine a serving pool without `engine:` runs, and `clustersim estimate` by default.
inline constexpr const char* kDefaultEngine = "vllm";
// The bare roofline (no engine costs, the default replica limits): an optimistic bound, and
// the model as it was before engines.
inline constexpr const char* kRooflineEngine = "roofline";

struct ServingEngine {
  EngineProfile profile;
  ReplicaSpec replica;  // the engine's scheduler defaults
  KvSizing kv_sizing;   // how it budgets its KV cache at start-up
  std::string source;   // URLs, one per line
};

ServingEngine read_engine(MapReader r);
// `name_or_file`: kRooflineEngine, an engine name, read from `<config_dir>/engines/<name>.yaml`,
// or a path to a YAML file (it ends in .yaml or .yml). An unknown name throws std::invalid_argument listing
// the known ones; errors inside the file are ConfigErrors naming it.
ServingEngine load_engine(const std::string& name_or_file, const std::filesystem::path& config_dir);
// Names of the engines in `<config_dir>/engines/`, sorted.
std::vector<std::string> engine_names(const std::filesystem::path& config_dir);

}  // namespace cs
