#pragma once
// The scenario text of one serving pool placed on a topology, for tests where only the specs
// matter (one request, a minute's horizon).
#include <string>

namespace cs::test {

// A pool of `model` on H100 SXM with the given plan keys ("  tp: 8\n...") on the given
// topology section body ("  node: dgx_h100\n...").
inline std::string pool_yaml(const std::string& model, const std::string& plan, const std::string& topology) {
  return "name: p\n"
         "simulation: {horizon: 1 min}\n"
         "workload:\n"
         "  synthetic:\n"
         "    arrivals: {process: deterministic, rate: 1/s}\n"
         "    input_tokens: {distribution: fixed, mean: 100}\n"
         "    output_tokens: {distribution: fixed, mean: 10}\n"
         "    max_requests: 1\n"
         "serving:\n"
         "  model: " +
         model + "\n  gpu: h100-sxm\n" + plan + "  pool: {initial_replicas: 1}\ntopology:\n" + topology;
}

}  // namespace cs::test
