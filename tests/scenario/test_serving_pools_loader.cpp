#include <catch2/catch.hpp>

#include <string>

#include "scenario_load_error.hpp"

using namespace cs;
using cs::test::error_of;
using cs::test::replace;
using cs::test::TempDir;

namespace {

// Line numbers matter below: the pools start on line 12 (h100), 15 (a100) and 18 (small).
const std::string kPools =
    "name: s\n"                                                   // 1
    "simulation: {horizon: 10 min}\n"                             // 2
    "workload:\n"                                                 // 3
    "  - name: chat\n"                                            // 4
    "    model: Llama_2_70B\n"                                    // 5
    "    synthetic: {arrivals: {process: poisson, rate: 5/s},\n"  // 6
    "      input_tokens: {distribution: fixed, mean: 100}, output_tokens: {distribution: fixed, mean: 10}}\n"
    "  - model: llama-3-8b\n"                                     // 8
    "    synthetic: {arrivals: {process: poisson, rate: 2/s},\n"  // 9
    "      input_tokens: {distribution: fixed, mean: 300}, output_tokens: {distribution: fixed, mean: 10}}\n"
    "serving:\n"                                                                       // 11
    "  - {name: h100, model: llama-2-70b, gpu: h100-sxm, tp: 4, share: 70%,\n"         // 12
    "     pool: {initial_replicas: 2, price: $2.50/h}}\n"                              // 13
    "  \n"                                                                             // 14
    "  - {name: a100, model: llama-2-70b, gpu: a100-80gb-sxm, tp: 8, share: 30%,\n"    // 15
    "     pool: {initial_replicas: 1, price: $1.60/h}}\n"                              // 16
    "  \n"                                                                             // 17
    "  - {name: small, model: llama-3-8b, gpu: l40s, pool: {initial_replicas: 1}}\n";  // 18

}  // namespace

TEST_CASE("serving as a list reads one pool per item with its share, and workload as a list one stream each") {
  TempDir dir;
  const Scenario s = load_scenario(dir.write("s.yaml", kPools));
  REQUIRE(s.serving_pools.size() == 3);
  CHECK(s.all_serving_pools().size() == 3);
  CHECK(s.serving_pools[0].router.name == "h100");
  CHECK(s.serving_pools[0].share == Approx(0.7));
  CHECK(s.serving_pools[1].share == Approx(0.3));
  CHECK(s.serving_pools[1].plan.tp == 8);
  CHECK(s.serving_pools[1].usd_per_gpu_hour == Approx(1.6));
  CHECK(s.serving_pools[2].share == 1);  // the only pool of its model needs none
  CHECK(s.serving_pools[2].model.name == "llama-3-8b");
  REQUIRE(s.workload_streams.size() == 2);
  // A stream's model is stored under its catalog name, as the pools name theirs.
  CHECK(s.workload_streams[0].synthetic->model == "llama-2-70b");
  CHECK(s.workload_streams[0].name == "chat");
  CHECK(s.workload_streams[1].name == "workload1");  // unnamed streams get distinct names
  CHECK(s.pool_split == PoolSplit::kSmoothRoundRobin);
}

TEST_CASE("two pools with one name are an error at the second one's line") {
  const std::string e = error_of(replace(kPools, "name: a100", "name: h100"));
  CHECK_THAT(e, Catch::Contains("bad.yaml:15:"));
  CHECK_THAT(e, Catch::Contains("serving[1].name"));
  CHECK_THAT(e, Catch::Contains("'h100' is used twice"));
}

TEST_CASE("a stream naming a model no pool serves is an error at its model key") {
  const std::string unknown = error_of(replace(kPools, "model: llama-3-8b\n", "model: llama-9-000b\n"));
  CHECK_THAT(unknown, Catch::Contains("bad.yaml:8:"));
  CHECK_THAT(unknown, Catch::Contains("workload[1].model"));
  CHECK_THAT(unknown, Catch::Contains("unknown model 'llama-9-000b'"));
  const std::string unserved = error_of(replace(kPools, "model: llama-3-8b\n", "model: llama-2-7b\n"));
  CHECK_THAT(unserved, Catch::Contains("no pool serves model 'llama-2-7b'"));
  CHECK_THAT(unserved, Catch::Contains("llama-2-70b, llama-3-8b"));
}

TEST_CASE("a stream without a model is an error when the pools serve several models") {
  const std::string e = error_of(replace(kPools, "    model: Llama_2_70B\n", ""));
  CHECK_THAT(e, Catch::Contains("workload[0]"));
  CHECK_THAT(e, Catch::Contains("name the one these requests are for with `model:`"));
}

TEST_CASE("pools sharing a model need each a positive share") {
  const std::string missing = error_of(replace(kPools, " share: 30%,", ""));
  CHECK_THAT(missing, Catch::Contains("bad.yaml:15:"));
  CHECK_THAT(missing, Catch::Contains("served by 2 pools: give each a `share:`"));
  const std::string negative = error_of(replace(kPools, "share: 30%", "share: -30%"));
  CHECK_THAT(negative, Catch::Contains("bad.yaml:15:"));
  CHECK_THAT(negative, Catch::Contains("serving[1].share"));
  CHECK_THAT(negative, Catch::Contains("must be positive"));
  CHECK_THAT(error_of(replace(kPools, "share: 30%", "share: 0")), Catch::Contains("must be positive"));
}

TEST_CASE("a pool in the list needs a name, and the single-pool form takes no share") {
  CHECK_THAT(error_of(replace(kPools, "name: small, ", "")), Catch::Contains("serving[2]"));
  const std::string single =
      "name: s\nsimulation: {horizon: 10 min}\n"
      "workload: {synthetic: {arrivals: {process: poisson, rate: 5/s},"
      " input_tokens: {distribution: fixed, mean: 100}, output_tokens: {distribution: fixed, mean: 10}}}\n"
      "serving: {model: llama-2-70b, gpu: h100-sxm, tp: 4, share: 50%, pool: {initial_replicas: 1}}\n";
  CHECK_THAT(error_of(single), Catch::Contains("unknown key 'share'"));
}

TEST_CASE("the split between pools is smooth round robin unless pool_split says random") {
  TempDir dir;
  const Scenario s = load_scenario(dir.write("s.yaml", kPools + "pool_split: random\n"));
  CHECK(s.pool_split == PoolSplit::kRandom);
  CHECK_THAT(error_of(kPools + "pool_split: coin\n"), Catch::Contains("pool_split"));
}

TEST_CASE("two workload streams with one name are an error") {
  const std::string e = error_of(replace(kPools, "  - model: llama-3-8b\n", "  - name: chat\n    model: llama-3-8b\n"));
  CHECK_THAT(e, Catch::Contains("workload[1].name"));
  CHECK_THAT(e, Catch::Contains("'chat' is used twice"));
}
