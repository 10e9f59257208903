#include <catch2/catch.hpp>

#include <string>

#include "../scenario/scenario_test_files.hpp"
#include "serving_pool_yaml.hpp"
#include "sim/network/fabric.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/simulation/replica_placement.hpp"
#include "sim/simulation/serving_cluster.hpp"
#include "sim/simulation/serving_system.hpp"
#include "topology/host_link.hpp"

using namespace cs;

namespace {

using test::pool_yaml;

// Llama 2 70B with the given plan on the given topology.
Scenario placed_scenario(const test::TempDir& dir, const std::string& plan, const std::string& topology) {
  return load_scenario(dir.write("p.yaml", pool_yaml("llama-2-70b", plan, topology)));
}

// Mixtral 8x7B on the bare roofline with the given plan keys on `nodes` DGX H100.
std::string moe_scenario(const std::string& plan, int nodes) {
  return pool_yaml("mixtral-8x7b", "  engine: roofline\n" + plan,
                   "  node: dgx_h100\n  nodes: " + std::to_string(nodes) +
                       "\n  fabric: {kind: single_switch, link: infiniband}\n");
}

struct Placed {
  Engine engine{1};
  Scenario scenario;
  Fabric network;
  ReplicaPlacement placement;
  explicit Placed(Scenario s)
      : scenario(std::move(s)),
        network(engine, scenario.network->topology, scenario.network->tuning),
        placement(scenario.serving_pools.at(0), network.topology(), network.collectives().cost_model()) {}
};

}  // namespace

TEST_CASE(
    "a TP8 replica on a PCIe node pays more TP time per iteration than on a DGX H100, by the collective costs' ratio") {
  test::TempDir dir;
  // The bare roofline: an eager engine's dispatch would hide part of the shorter all-reduce.
  Placed dgx(placed_scenario(dir, "  tp: 8\n  engine: roofline\n", "  node: dgx_h100\n  nodes: 1\n"));
  Placed pcie(placed_scenario(dir, "  tp: 8\n  engine: roofline\n", "  node: pcie_8gpu\n  nodes: 1\n"));
  REQUIRE(dgx.placement.slots() == 1);
  REQUIRE(pcie.placement.slots() == 1);

  // A decode step of 64 sequences over 1,000 cached tokens each.
  const IterationShape shape = decode_shape(64, 1000);
  const auto dgx_cost = dgx.placement.cost_for(0);
  const auto pcie_cost = pcie.placement.cost_for(0);
  const double bytes = dgx_cost->model().cost().tp_all_reduce_bytes(shape);
  // 64 tokens · 8,192 hidden · 2 bytes (bf16): each of the 2 all-reduces per layer.
  CHECK(bytes == 64.0 * 8192 * 2);

  // The same all-reduce priced directly by each network's collective cost model, on the
  // node's eight GPUs (the replica's placement).
  auto direct = [&](Placed& p) {
    const auto gpus = p.network.topology().gpus();
    CHECK(std::vector<VertexId>(gpus.begin(), gpus.end()) == p.placement.gpus_of(0));
    return p.network.collectives().cost_model().estimate_seconds(CollectiveOp::kAllReduce, CollectiveAlgorithm::kAuto,
                                                                 gpus, bytes);
  };
  const double dgx_all_reduce = direct(dgx);
  const double pcie_all_reduce = direct(pcie);
  REQUIRE(pcie_all_reduce > dgx_all_reduce);

  // tp_comm = 80 layers · 2 all-reduces · one all-reduce's time.
  const double dgx_tp = dgx_cost->model().time(shape).tp_comm_s;
  const double pcie_tp = pcie_cost->model().time(shape).tp_comm_s;
  CHECK(dgx_tp == Approx(80 * 2 * dgx_all_reduce).epsilon(1e-12));
  CHECK(pcie_tp == Approx(80 * 2 * pcie_all_reduce).epsilon(1e-12));
  CHECK(pcie_tp / dgx_tp == Approx(pcie_all_reduce / dgx_all_reduce).epsilon(1e-12));
  // And the whole iteration is slower by exactly that difference (compute is the same).
  CHECK(pcie_cost->model().time(shape).seconds() - dgx_cost->model().time(shape).seconds() ==
        Approx(pcie_tp - dgx_tp).epsilon(1e-9));
}

TEST_CASE("replicas take consecutive GPUs of one node per TP group, and a TP group larger than a node spans nodes") {
  test::TempDir dir;
  const std::string two_nodes = "  node: dgx_h100\n  nodes: 2\n  fabric: {kind: single_switch, link: infiniband}\n";
  {
    Placed p(placed_scenario(dir, "  tp: 4\n", two_nodes));
    REQUIRE(p.placement.slots() == 4);  // 16 GPUs / 4
    const Topology& t = p.network.topology();
    for (int slot = 0; slot < 4; ++slot)
      for (const VertexId g : p.placement.gpus_of(slot)) CHECK(t.vertex(g).node == slot / 2);
    // Slots on alike nodes share one cost model.
    CHECK(p.placement.cost_for(0) == p.placement.cost_for(3));
    // Slots are taken lowest first and come back when released.
    CHECK(p.placement.acquire() == 0);
    CHECK(p.placement.acquire() == 1);
    p.placement.release(0);
    CHECK(p.placement.acquire() == 0);
    CHECK(p.placement.in_use() == 2);
  }
  {
    Placed p(placed_scenario(dir, "  tp: 8\n  pp: 2\n", two_nodes));
    REQUIRE(p.placement.slots() == 1);
    const Topology& t = p.network.topology();
    const auto& gpus = p.placement.gpus_of(0);
    for (std::size_t i = 0; i < gpus.size(); ++i) CHECK(t.vertex(gpus[i]).node == static_cast<int>(i / 8));
    // The stage hand-off crosses the fabric: slower than the all-reduce's NVLink hops per byte.
    CHECK(p.placement.pp_send_s(0, 1 << 20) > 0);
  }
  {
    Placed p(placed_scenario(dir, "  tp: 16\n", two_nodes));
    REQUIRE(p.placement.slots() == 1);
    CHECK(p.placement.gpus_of(0).size() == 16);
    // Across the fabric the all-reduce costs more than inside one node.
    Placed one(placed_scenario(dir, "  tp: 8\n", two_nodes));
    CHECK(p.placement.tp_all_reduce_s(0, 1 << 20) > one.placement.tp_all_reduce_s(0, 1 << 20));
  }
}

TEST_CASE("an EP replica holds tp x ep GPUs and prices its all-to-all on the topology, dearer across nodes") {
  test::TempDir dir;
  Placed node(load_scenario(dir.write("a.yaml", moe_scenario("  tp: 1\n  ep: 8\n", 2))));
  REQUIRE(node.placement.slots() == 2);  // one 8-GPU node each
  const Topology& t = node.network.topology();
  for (int slot = 0; slot < 2; ++slot) {
    REQUIRE(node.placement.gpus_of(slot).size() == 8);
    for (const VertexId g : node.placement.gpus_of(slot)) CHECK(t.vertex(g).node == slot);
  }
  CHECK(node.scenario.serving_pools.at(0).replica.gpus == 8);

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

TEST_CASE(
    "on a topology swap and the KV host tier copy at the host links' shared rate: two GPUs of a replica behind one "
    "PCIe switch split its uplink") {
  // A generic PCIe server (pcie_8gpu): two GPUs under each Gen4 x16 switch, whose uplink to the
  // CPU carries 31.5 GB/s x 0.80 (LinkEfficiency's PCIe fraction) = 25.2 GB/s. A TP2 replica on
  // GPUs 0-1 copies both shards at once through that uplink: 12.6 GB/s each, 25.2 GB/s for the
  // replica. Without a topology each GPU would get its own Gen5 x16 link: 2 x 63.0 x 0.80 GB/s.
  test::TempDir dir;
  const Scenario s = load_scenario(dir.write(
      "p.yaml",
      pool_yaml("llama-3-8b", "  tp: 2\n  replica: {preemption: swap, prefix_caching: true, host_cache: 64 GB}\n",
                "  node: pcie_8gpu\n  nodes: 1\n")));
  const double own_links = 2 * 16 * 32e9 * 128 / 130 / 8 * 0.80;
  CHECK(s.serving_pools.at(0).replica.swap_bytes_per_s == Approx(own_links));
  Engine engine(1);
  Fabric fabric(engine, s.network->topology, s.network->tuning);
  ServingCluster cluster(engine, s.all_serving_pools(), {}, s.pool_split, &fabric);
  cluster.start(s.simulation.horizon);
  const ServingSystem& pool = cluster.pool(0);
  const std::span<const VertexId> gpus = pool.gpus_of_replica(0);
  REQUIRE(gpus.size() == 2);
  // Both host links (DRAM -> CPU -> switch -> GPU) cross the same switch uplink.
  const HostLink a = host_link(fabric.router(), gpus[0]), b = host_link(fabric.router(), gpus[1]);
  REQUIRE(a.links.size() == 3);
  REQUIRE(a.links[1] == b.links[1]);
  CHECK(fabric.topology().link(a.links[1]).bandwidth_bytes_per_s == 31.5e9);
  CHECK(pool.router().replicas().at(0)->spec().swap_bytes_per_s == Approx(2 * 31.5e9 * 0.80 / 2));
}

TEST_CASE("a topology without host memory in the GPU's node leaves swap at the GPU's own PCIe link") {
  // An explicit topology of one GPU and a switch draws no host link: the replica copies over
  // the catalog's Gen5 x16 link at 0.80, as without a topology.
  test::TempDir dir;
  const Scenario s = load_scenario(dir.write(
      "p.yaml", pool_yaml("llama-3-8b", "  tp: 1\n  replica: {preemption: swap}\n",
                          "  vertices:\n    - {name: a, kind: gpu, node: 0}\n    - {name: sw, kind: switch}\n"
                          "  links:\n    - {from: a, to: sw, kind: ethernet, bandwidth: 100 Gbps, latency: 1 us}\n")));
  Engine engine(1);
  Fabric fabric(engine, s.network->topology, s.network->tuning);
  ServingCluster cluster(engine, s.all_serving_pools(), {}, s.pool_split, &fabric);
  cluster.start(s.simulation.horizon);
  CHECK(cluster.pool(0).router().replicas().at(0)->spec().swap_bytes_per_s == Approx(16 * 32e9 * 128 / 130 / 8 * 0.80));
}
