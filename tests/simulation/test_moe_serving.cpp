#include <catch2/catch.hpp>

#include <string>

#include "../llm/catalog_fixture.hpp"
#include "../scenario/scenario_test_files.hpp"
#include "sim/network/fabric.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/simulation/replica_placement.hpp"

using namespace cs;

namespace {

// A Mixtral 8x7B pool with the given plan keys on `nodes` DGX H100 (one request: only the
// specs matter).
std::string moe_scenario(const std::string& plan, int nodes) {
  return "name: moe\n"
         "simulation: {horizon: 1 min}\n"
         "workload:\n"
         "  synthetic:\n"
         "    arrivals: {process: deterministic, rate: 1/s}\n"
         "    input_tokens: {distribution: fixed, mean: 100}\n"
         "    output_tokens: {distribution: fixed, mean: 10}\n"
         "    max_requests: 1\n"
         "serving:\n"
         "  model: mixtral-8x7b\n"
         "  gpu: h100-sxm\n"
         "  engine: roofline\n" +
         plan + "  pool: {initial_replicas: 1}\ntopology:\n  node: dgx_h100\n  nodes: " + std::to_string(nodes) +
         "\n  fabric: {kind: single_switch, link: infiniband}\n";
}

struct Placed {
  Engine engine{1};
  Scenario scenario;
  Fabric network;
  ReplicaPlacement placement;
  explicit Placed(Scenario s)
      : scenario(std::move(s)),
        network(engine, scenario.network->topology, scenario.network->tuning),
        placement(*scenario.serving, network.topology(), network.collectives().cost_model()) {}
};

}  // namespace

TEST_CASE("an EP replica holds tp x ep GPUs and prices its all-to-all on the topology, dearer across nodes") {
  test::TempDir dir;
  Placed node(load_scenario(dir.write("a.yaml", moe_scenario("  tp: 1\n  ep: 8\n", 2))));
  REQUIRE(node.placement.slots() == 2);  // one 8-GPU node each
  const Topology& t = node.network.topology();
  for (int slot = 0; slot < 2; ++slot) {
    REQUIRE(node.placement.gpus_of(slot).size() == 8);
    for (const VertexId g : node.placement.gpus_of(slot)) CHECK(t.vertex(g).node == slot);
  }
  CHECK(node.scenario.serving->replica.gpus == 8);

  // A decode step of 64 sequences: 8 per attention group, each sending 8 tokens x 2 experts x
  // 4096 x 2 bytes into every MoE layer's dispatch and combine.
  const auto cost = node.placement.cost_for(0);
  const IterationShape group = decode_shape(8, 1000);
  const double bytes = cost->model().cost().ep_all_to_all_bytes(group);
  CHECK(bytes == 8.0 * 2 * 4096 * 2);
  auto& model = node.network.collectives().cost_model();
  const auto& gpus = node.placement.gpus_of(0);
  const double one = model.estimate_seconds(CollectiveOp::kAllToAll, model.best(CollectiveOp::kAllToAll, gpus, bytes),
                                            gpus, bytes);
  CHECK(cost->model().time(group).ep_comm_s == Approx(32 * 2 * one).epsilon(1e-12));

  // TP2 x EP8 spans both nodes: the same all-to-all crosses the fabric.
  Placed wide(load_scenario(dir.write("b.yaml", moe_scenario("  tp: 2\n  ep: 8\n", 2))));
  REQUIRE(wide.placement.slots() == 1);
  CHECK(wide.placement.gpus_of(0).size() == 16);
  CHECK(wide.placement.cost_for(0)->model().time(group).ep_comm_s > cost->model().time(group).ep_comm_s);
}

TEST_CASE("an EP replica's iteration waits on its busiest attention group") {
  const TransformerSpec& m = testing::model("mixtral-8x7b");
  const GpuSpec& g = testing::gpu("h100-sxm");
  const ModelPrecision p = precision_for(Dtype::kBf16);
  const ParallelPlan ep8{1, 1, 8, 8};
  const LlmIterationCost cost(m, g, p, ep8);
  // 9 decode sequences over 8 groups: the busiest holds 2.
  CHECK(cost.iteration_time(BatchShape{{}, 9, 9 * 1000}) ==
        Time::from_seconds_ceil(cost.model().time(decode_shape(2, 1000)).seconds()));
  // Prompt chunks go whole to the least loaded group, largest first: each of the three to a
  // group of its own, the busiest holding the 3000-token chunk.
  const std::vector<PrefillChunk> chunks{{500, 0}, {3000, 0}, {1000, 0}};
  CHECK(cost.iteration_time(BatchShape{chunks, 0, 0}) ==
        Time::from_seconds_ceil(cost.model().time(prefill_shape(1, 3000)).seconds()));
  // A fused decode run prices each step as a lone step would.
  std::vector<Time> run(3);
  cost.decode_run_times(16, 16 * 500, run);
  for (std::size_t i = 0; i < run.size(); ++i)
    CHECK(run[i] == cost.iteration_time(BatchShape{{}, 16, 16 * 500 + static_cast<std::int64_t>(i) * 16}));
}

TEST_CASE("an EP replica's KV cache spans all its GPUs while a token's KV lies on one attention group") {
  const TransformerSpec& m = testing::model("mixtral-8x7b");
  const GpuSpec& g = testing::gpu("h100-sxm");
  const ModelPrecision p = precision_for(Dtype::kBf16);
  const KvSizing vllm{KvBudget::kTotalFraction, 0.9, 0.5 * (1u << 30), 0};
  ReplicaSpec spec;
  spec.max_num_seqs = 256;
  spec.max_batched_tokens = 8192;
  size_replica_kv_cache(spec, m, g, p, ParallelPlan{1, 1, 8, 8}, vllm);
  CHECK(spec.gpus == 8);
  // 32 layers x 8 KV heads x 128 x 2 (K and V) x 2 bytes on the group's one GPU.
  CHECK(spec.kv_bytes_per_token == 32.0 * 8 * 128 * 2 * 2);
  const TransformerCost cost(m, p, ParallelPlan{1, 1, 8, 8});
  const KvBudgetPerGpu budget = kv_cache_budget_per_gpu(cost, g.memory_bytes, vllm, 8192, 256);
  CHECK(spec.kv_cache_bytes == Approx(8 * budget.kv_cache_bytes).epsilon(1e-12));
}

TEST_CASE("ep needs an MoE model whose experts it divides, and expert_skew needs ep") {
  test::TempDir dir;
  auto error = [&](const std::string& plan, const std::string& model) {
    std::string text = moe_scenario(plan, 1);
    if (!model.empty()) text.replace(text.find("mixtral-8x7b"), 12, model);
    try {
      load_scenario(dir.write("e.yaml", text));
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(error("  ep: 2\n", "llama-2-7b"), Catch::Contains("serving.ep") && Catch::Contains("no experts"));
  CHECK_THAT(error("  ep: 3\n", ""), Catch::Contains("serving.ep") && Catch::Contains("divide"));
  CHECK_THAT(error("  expert_skew: 1.2\n", ""), Catch::Contains("serving.expert_skew") && Catch::Contains("ep > 1"));
  CHECK_THAT(error("  ep: 2\n  expert_skew: 0.9\n", ""), Catch::Contains("serving.expert_skew"));
}
