// The loader refuses serving pools that building the models would refuse: a replica the
// topology cannot hold, more initial replicas than the topology has slots, and initial replicas
// of a pool without an autoscaler that the pools listed before it leave no room for. One
// 8-GPU DGX H100 node throughout; slots are TP groups within the node (topology/replica_slots).
#include <catch2/catch.hpp>

#include <string>

#include "scenario_load_error.hpp"

using namespace cs;
using cs::test::error_of;
using cs::test::replace;
using cs::test::TempDir;

namespace {

// Line numbers matter below: pool a is on line 10, pool b on line 11.
const std::string kTwoPools =
    "simulation: {horizon: 1 min}\n"                                                                 // 1
    "topology: {node: dgx_h100, nodes: 1}\n"                                                         // 2
    "workload:\n"                                                                                    // 3
    "  - {model: llama-2-7b, synthetic: {arrivals: {process: poisson, rate: 1/s},\n"                 // 4
    "     input_tokens: {distribution: fixed, mean: 100}, output_tokens: {distribution: fixed, mean: 10}}}\n"
    "  - {model: llama-3-8b, synthetic: {arrivals: {process: poisson, rate: 1/s},\n"                 // 6
    "     input_tokens: {distribution: fixed, mean: 100}, output_tokens: {distribution: fixed, mean: 10}}}\n"
    "serving:\n"                                                                                     // 8
    "  \n"                                                                                           // 9
    "  - {name: a, model: llama-2-7b, gpu: h100-sxm, tp: 4, pool: {initial_replicas: 2}}\n"           // 10
    "  - {name: b, model: llama-3-8b, gpu: h100-sxm, tp: 2, pool: {initial_replicas: 1}}\n";          // 11

}  // namespace

TEST_CASE("pools that fit the topology together load") {
  TempDir dir;
  const Scenario s = load_scenario(dir.write("s.yaml", replace(kTwoPools, "initial_replicas: 2", "initial_replicas: 1")));
  CHECK(s.serving_pools.size() == 2);
}

TEST_CASE("a pool whose replica is larger than the topology is refused at its pp") {
  const std::string e = error_of(replace(kTwoPools, "tp: 2,", "tp: 8, pp: 2,"));
  CHECK_THAT(e, Catch::Contains("bad.yaml:11:"));
  CHECK_THAT(e, Catch::Contains("serving[1].pp: the topology's 8 GPUs cannot hold one replica of pool 'b' (16 GPUs)"));
}

TEST_CASE("more initial replicas than the topology has slots for are refused at the pool's key") {
  const std::string e = error_of(replace(kTwoPools, "initial_replicas: 2", "initial_replicas: 3"));
  CHECK_THAT(e, Catch::Contains("bad.yaml:10:"));
  CHECK_THAT(e, Catch::Contains(
                    "serving[0].pool.initial_replicas: 3 initial replicas of 4 GPUs do not fit the topology's 2 "
                    "replica slots"));
}

TEST_CASE("initial replicas the pools before leave no room for are refused, unless an autoscaler takes the shortfall") {
  // Pool a's two TP4 replicas take all 8 GPUs; b's TP2 replica has 4 slots but none free.
  const std::string e = error_of(kTwoPools);
  CHECK_THAT(e, Catch::Contains("bad.yaml:11:"));
  CHECK_THAT(e, Catch::Contains("serving[1].pool.initial_replicas: 1 initial replicas of 2 GPUs: only 0 fit the "
                                "topology's GPUs left free by the pools before 'b'"));
  // With an autoscaler the replica it cannot place is a capacity shortfall at run time.
  TempDir dir;
  const std::string scaled = replace(
      kTwoPools, "pool: {initial_replicas: 1}}",
      "pool: {initial_replicas: 1, autoscaler: {target: {metric: concurrency, value: 8}, max_replicas: 4}}}");
  CHECK(load_scenario(dir.write("s.yaml", scaled)).serving_pools.size() == 2);
}

TEST_CASE("a co-located pool on a GPU other than the training cluster's is refused at its gpu") {
  LoadOptions options;
  options.overrides = {"serving.gpu=a100-80gb-sxm"};
  try {
    (void)load_scenario(std::string(CLUSTERSIM_SOURCE_DIR) + "/configs/scenarios/colocation_spike.yaml", options);
    FAIL("an A100 pool borrowing the H100 cluster's GPUs loaded");
  } catch (const ConfigError& e) {
    CHECK_THAT(e.what(), Catch::Contains("serving.gpu: co-located replicas run on GPUs borrowed from the training "
                                         "cluster, which are h100-sxm, not a100-80gb-sxm"));
  }
}
