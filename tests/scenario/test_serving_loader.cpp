#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "scenario_load_error.hpp"
#include "sim/queueing/server_pool.hpp"
#include "sim/serving/llm_iteration_cost.hpp"

using namespace cs;
using cs::test::error_of;
using cs::test::replace;
using cs::test::TempDir;

namespace {

const std::string kServing = cs::test::serving_scenario("llama-2-70b",
                                                        "  tp: 4\n"
                                                        "  pool:\n"
                                                        "    initial_replicas: 2\n"
                                                        "    price: $2.50/h\n"
                                                        "    autoscaler:\n"
                                                        "      target: {metric: utilization, value: 70%}\n"
                                                        "      provisioning: 5 min\n"
                                                        "      weight_load_bandwidth: 2 GB/s\n"
                                                        "      max_replicas: 8\n"
                                                        "  slo: {ttft: 2 s, tpot: 100 ms}\n");

}  // namespace

TEST_CASE("a serving section reads the model, GPU, plan, pool, autoscaler and SLOs") {
  TempDir dir;
  const Scenario s = load_scenario(dir.write("s.yaml", kServing));
  // The one-map forms are read as one-element lists.
  REQUIRE(s.serving_pools.size() == 1);
  REQUIRE(s.workload_streams.size() == 1);
  CHECK_FALSE(s.section<ServerPoolSpec>("queueing"));
  const ServingPoolSpec& p = s.serving_pools[0];
  CHECK(p.model.name == "llama-2-70b");
  CHECK(p.gpu.name == "h100-sxm");
  CHECK(p.plan.tp == 4);
  CHECK(p.replica.gpus == 4);
  CHECK(p.replica.kv_cache_bytes > 0);
  CHECK(p.usd_per_gpu_hour == Approx(2.5));
  CHECK(p.initial_replicas == 2);
  REQUIRE(p.autoscaler);
  CHECK(p.autoscaler->metric == ScalingMetric::kUtilization);
  CHECK(p.autoscaler->target == Approx(0.7));
  CHECK(p.autoscaler->gpus_per_replica == 4);
  CHECK(p.autoscaler->provisioning_delay == Time::s(300));
  // Llama 2 70B in bf16: ~68.98e9 parameters · 2 bytes ≈ 138 GB over 2 GB/s ≈ 69 s.
  CHECK(p.autoscaler->weight_load_delay.seconds() == Approx(69).epsilon(0.02));
  CHECK(p.slo.ttft == Time::s(2));
  CHECK(p.slo.tpot == Time::ms(100));
}

TEST_CASE("a serving scenario names an unknown model with the names it knows") {
  const std::string e = error_of(replace(kServing, "llama-2-70b", "llama-2-70"));
  CHECK_THAT(e, Catch::Contains("serving.model"));
  CHECK_THAT(e, Catch::Contains("llama-2-70b"));
}

TEST_CASE("a model that does not fit its replica's GPUs is a scenario error") {
  const std::string e = error_of(replace(kServing, "tp: 4", "tp: 1"));
  CHECK_THAT(e, Catch::Contains("no memory for the KV cache"));
}

TEST_CASE("a scenario has exactly one workload model") {
  CHECK_THAT(error_of(kServing + "queueing:\n  arrivals: {process: poisson, rate: 5/s}\n"
                                 "  service_time: {distribution: fixed, mean: 1 s}\n  servers: 1\n"),
             Catch::Contains("not both"));
  CHECK_THAT(error_of(replace(kServing, "workload:", "unused:")), Catch::Contains("needs a `workload:`"));
  CHECK_THAT(error_of("simulation: {horizon: 10 min}\n"), Catch::Contains("no workload model"));
}

TEST_CASE("an autoscaler takes a weight-load time or a bandwidth, not both") {
  const std::string e = error_of(
      replace(kServing, "weight_load_bandwidth: 2 GB/s\n", "weight_load_bandwidth: 2 GB/s\n      weight_load: 90 s\n"));
  CHECK_THAT(e, Catch::Contains("not both"));
}

TEST_CASE("the replica block reads the scheduler mode, preemption and KV watermark") {
  TempDir dir;
  const Scenario s = load_scenario(dir.write(
      "s.yaml", replace(kServing, "  tp: 4\n",
                        "  tp: 4\n  replica: {scheduler: vllm_v0, preemption: swap, kv_watermark: 5%}\n")));
  const ReplicaSpec& r = s.serving_pools.at(0).replica;
  CHECK(r.scheduler == SchedulerMode::kVllmV0);
  CHECK(r.preemption == PreemptionMode::kSwap);
  CHECK(r.kv_watermark == Approx(0.05));
  // Each of the 4 GPUs swaps its share over its own PCIe link.
  CHECK(r.swap_bytes_per_s == Approx(4 * s.serving_pools.at(0).gpu.host_link_bytes_per_s()));
  CHECK(load_scenario(dir.write("d.yaml", kServing)).serving_pools.at(0).replica.scheduler == SchedulerMode::kVllmV1);
}

TEST_CASE("a scheduler mode without chunked prefill refuses it with the key") {
  const std::string e = error_of(
      replace(kServing, "  tp: 4\n", "  tp: 4\n  replica: {scheduler: orca, chunked_prefill: true}\n"));
  CHECK_THAT(e, Catch::Contains("serving.replica.chunked_prefill") && Catch::Contains("orca"));
  const std::string mode = error_of(replace(kServing, "  tp: 4\n", "  tp: 4\n  replica: {scheduler: vllm_v3}\n"));
  CHECK_THAT(mode, Catch::Contains("serving.replica.scheduler"));
}

TEST_CASE("a scenario's defaults.efficiency reaches the catalog's GPUs and slows memory-bound steps") {
  TempDir dir;
  const auto file = dir.write("s.yaml", kServing);
  const Scenario plain = load_scenario(file);
  LoadOptions o;
  o.overrides = {"defaults.efficiency.memory=0.57"};
  const Scenario slowed = load_scenario(file, o);
  CHECK(plain.serving_pools.at(0).gpu.efficiency.memory != 0.57);  // as the catalog states it
  CHECK(slowed.serving_pools.at(0).gpu.efficiency.memory == 0.57);
  // The fraction it does not name keeps the catalog's value.
  CHECK(slowed.serving_pools.at(0).gpu.efficiency.compute == plain.serving_pools.at(0).gpu.efficiency.compute);
  // A decode step of 64 sequences reads the weights: memory bound, so slower at 0.57.
  const auto decode = [](const ServingPoolSpec& p) {
    return LlmIterationCost(p.model, p.gpu, p.precision, p.plan).iteration_time(BatchShape{{}, 64, 64 * 1000});
  };
  CHECK(decode(slowed.serving_pools.at(0)) > decode(plain.serving_pools.at(0)));
}

TEST_CASE("prompts known to exceed the context window or an unchunked token budget are refused at load") {
  // Fixed 1000-token prompts fit Llama 2's 4096-token window and the default 8192 budget.
  TempDir dir;
  CHECK_NOTHROW(load_scenario(dir.write("ok.yaml", kServing)));
  const std::string window = error_of(replace(kServing, "mean: 1000}", "mean: 5000}"));
  CHECK_THAT(window, Catch::Contains("workload.synthetic") && Catch::Contains("4096-token context window"));
  const std::string budget = error_of(replace(
      replace(kServing, "  tp: 4\n", "  tp: 4\n  replica: {max_batched_tokens: 512}\n"), "mean: 1000}",
      "mean: 1000}\n    max_input_tokens: 3000"));
  CHECK_THAT(budget, Catch::Contains("max_batched_tokens 512 without chunked prefill"));
  // With chunked prefill the same prompts are served piece by piece.
  CHECK_NOTHROW(load_scenario(dir.write(
      "c.yaml", replace(kServing, "  tp: 4\n", "  tp: 4\n  replica: {max_batched_tokens: 512, chunked_prefill: true}\n"))));
}

namespace {
// kServing on two DGX H100 nodes with a storage cluster, weights loaded as flows.
std::string with_store(const std::string& weights) {
  return replace(kServing, "weight_load_bandwidth: 2 GB/s\n", weights) +
         "topology:\n"
         "  node: dgx_h100\n"
         "  nodes: 2\n"
         "  fabric: {kind: single_switch}\n"
         "  storage:\n"
         "    object_store: {ports: 2, port_bandwidth: 100 Gb/s, read_bandwidth: 10 GB/s}\n";
}
}  // namespace

TEST_CASE("a topology declares an object store and a pool loads its weights from it as flows") {
  TempDir dir;
  const Scenario s = load_scenario(dir.write("s.yaml", with_store("weights_from: nvme_cache\n      nvme_prestaged: true\n")));
  REQUIRE(s.network);
  const auto& layout = std::get<ClusterSpec>(s.network->topology.layout);
  REQUIRE(layout.object_store);
  CHECK(layout.object_store->ports == 2);
  CHECK(layout.object_store->port_bytes_per_s == Approx(12.5e9));
  CHECK(layout.object_store->bytes_per_s() == Approx(10e9));  // the servers' reads bind first
  REQUIRE(s.serving_pools.at(0).weights_from);
  CHECK(*s.serving_pools.at(0).weights_from == WeightSource::kNvmeCache);
  CHECK(s.serving_pools.at(0).weights_prestaged);
  CHECK(describe(s.network->topology).find("object store 10.0 GB/s") != std::string::npos);
}

TEST_CASE("weights as flows need a topology with an object store, and pre-staging needs the NVMe source") {
  CHECK_THAT(error_of(replace(kServing, "weight_load_bandwidth: 2 GB/s\n", "weights_from: object_store\n")),
             Catch::Contains("need a `topology:`"));
  const std::string no_store = replace(with_store("weights_from: peer\n"), "  storage:\n", "  unused_storage:\n");
  CHECK_THAT(error_of(replace(no_store,
                              "  unused_storage:\n    object_store: {ports: 2, port_bandwidth: 100 Gb/s, "
                              "read_bandwidth: 10 GB/s}\n",
                              "")),
             Catch::Contains("serving.pool.autoscaler.weights_from: the topology has no object store"));
  CHECK_THAT(error_of(with_store("weights_from: object_store\n      nvme_prestaged: true\n")),
             Catch::Contains("give weights_from: nvme_cache"));
  CHECK_THAT(error_of(with_store("weights_from: disk\n")), Catch::Contains("weights_from"));
  CHECK_THAT(error_of(replace(with_store("weights_from: peer\n"), "ports: 2", "ports: 0")),
             Catch::Contains("storage.object_store.ports"));
  CHECK_THAT(error_of(replace(with_store("weights_from: peer\n"), "{kind: single_switch}", "{kind: none}")),
             Catch::Contains("attaches to a fabric"));
}

TEST_CASE("prefix caching needs prefix blocks of whole KV blocks and prefix_affinity needs the cache") {
  const std::string example =
      (std::filesystem::path(CLUSTERSIM_SOURCE_DIR) / "configs/scenarios/prefix_caching.yaml").string();
  const auto error_with = [&example](std::vector<std::string> overrides) -> std::string {
    LoadOptions o;
    o.overrides = std::move(overrides);
    try {
      load_scenario(example, o);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "no error";
  };
  CHECK(error_with({}) == "no error");
  CHECK_THAT(error_with({"workload.conversations.block_tokens=24"}),
             Catch::Contains("workload.conversations") && Catch::Contains("not whole KV blocks"));
  // Without prefix caching the block size does not matter.
  CHECK(error_with({"workload.conversations.block_tokens=24", "serving.replica.prefix_caching=false"}) == "no error");
  CHECK_THAT(error_with({"serving.replica.prefix_caching=false", "serving.pool.router=prefix_affinity"}),
             Catch::Contains("serving.pool.router") && Catch::Contains("prefix_caching"));
  CHECK_THAT(error_with({"serving.pool.affinity_ratio=0.5"}), Catch::Contains("serving.pool.affinity_ratio"));
}

TEST_CASE("a pool's own validate refuses limits that cannot serve, at the key that sets them") {
  // min_replicas above max_replicas: the autoscaler could never reach its floor.
  const std::string limits = error_of(replace(kServing, "      max_replicas: 8\n", "      max_replicas: 2\n      min_replicas: 4\n"));
  // The error points at the max_replicas value: line 19 of the file, column 21.
  CHECK_THAT(limits, Catch::Contains("bad.yaml:19:21: serving.pool.autoscaler.max_replicas: max_replicas (2) is "
                                     "below min_replicas (4)"));
  // A pool with no replicas and nothing to start one.
  const std::string none = error_of(replace(
      replace(kServing, "    initial_replicas: 2\n", "    initial_replicas: 0\n"),
      "    autoscaler:\n      target: {metric: utilization, value: 70%}\n      provisioning: 5 min\n"
      "      weight_load_bandwidth: 2 GB/s\n      max_replicas: 8\n",
      ""));
  CHECK_THAT(none, Catch::Contains("serving.pool.initial_replicas: without an autoscaler the pool needs at least one"));
  // prefix_affinity without prefix caching has nothing to route by.
  CHECK_THAT(error_of(replace(kServing, "    initial_replicas: 2\n", "    initial_replicas: 2\n    router: prefix_affinity\n")),
             Catch::Contains("serving.pool.router: prefix_affinity routes by the replicas' prefix caches"));
}

TEST_CASE("a host tier of the prefix cache is bytes per replica and needs prefix caching") {
  const std::string example =
      (std::filesystem::path(CLUSTERSIM_SOURCE_DIR) / "configs/scenarios/prefix_caching_host_tier.yaml").string();
  const auto load_with = [&example](std::vector<std::string> overrides) {
    LoadOptions o;
    o.overrides = std::move(overrides);
    return load_scenario(example, o);
  };
  const auto error_with = [&load_with](std::vector<std::string> overrides) -> std::string {
    try {
      load_with(std::move(overrides));
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "no error";
  };
  const Scenario s = load_with({});
  REQUIRE(s.serving_pools.size() == 1);
  const ReplicaSpec& r = s.serving_pools[0].replica;
  CHECK(r.host_cache_bytes == 512e9);
  // Llama 3.1 70B: 80 layers of 8 KV heads of 128 at bf16, K and V: 327,680 bytes a token.
  CHECK(r.kv_bytes_per_token == 327'680);
  CHECK(r.kv_layers == 80);
  // 512 GB / (16 tokens × 327,680 bytes) = 97,656.25 blocks.
  CHECK(host_cache_blocks(r) == 97'656);
  CHECK_THAT(error_with({"serving.replica.prefix_caching=false"}),
             Catch::Contains("serving.replica.host_cache") && Catch::Contains("prefix_caching"));
  CHECK_THAT(error_with({"serving.replica.host_cache=-1 GB"}), Catch::Contains("serving.replica.host_cache"));
  CHECK_THAT(error_with({"serving.replica.host_cache=fast"}), Catch::Contains("serving.replica.host_cache"));
}
