#include <catch2/catch.hpp>

#include <map>

#include "../scenario/scenario_test_files.hpp"
#include "sim/queueing/server_pool.hpp"
#include "sim/scenario/config_error.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/simulation/simulation.hpp"

using namespace cs;

namespace {

const char* kHeader =
    "name: net\n"
    "simulation:\n"
    "  horizon: 1 s\n"
    "  sample_interval: 100 ms\n";

Scenario load(const test::TempDir& dir, const std::string& body) {
  return load_scenario(dir.write("s.yaml", std::string(kHeader) + body));
}

}  // namespace

TEST_CASE("a topology section with a template, a fabric and efficiencies becomes a cluster spec") {
  test::TempDir dir;
  const Scenario s = load(dir,
                          "topology:\n"
                          "  node: {template: dgx_h100, nic: 200 Gbps}\n"
                          "  nodes: 8\n"
                          "  fabric: {kind: leaf_spine, link: ethernet, leaf_ports: 16, oversubscription: 3x}\n"
                          "  efficiency: {ethernet: 85%}\n"
                          "collectives:\n"
                          "  jobs:\n"
                          "    - {op: all_reduce, bytes: 64 MiB, gpus: 16, every: 100 ms, count: 3}\n");
  REQUIRE(s.network);
  const auto& c = std::get<ClusterSpec>(s.network->topology.layout);
  CHECK(c.nodes == 8);
  CHECK(c.node.nic_bytes_per_s == Approx(25e9));
  CHECK(c.fabric.kind == FabricKind::kLeafSpine);
  CHECK(c.fabric.link_kind == LinkKind::kEthernet);
  CHECK(c.fabric.oversubscription == Approx(3));
  CHECK(s.network->topology.efficiency.ethernet == Approx(0.85));
  REQUIRE(s.network->jobs.size() == 1);
  CHECK(s.network->jobs[0].bytes == 64.0 * 1024 * 1024);
  CHECK(s.network->jobs[0].gpus == 16);
  CHECK(s.network->jobs[0].count == 3);
  CHECK(!s.section<ServerPoolSpec>("queueing"));
}

TEST_CASE("an explicit topology lists vertices and links") {
  test::TempDir dir;
  const Scenario s = load(dir,
                          "topology:\n"
                          "  vertices:\n"
                          "    - {name: a, kind: gpu}\n"
                          "    - {name: b, kind: gpu}\n"
                          "    - {name: sw, kind: switch}\n"
                          "  links:\n"
                          "    - {from: a, to: sw, kind: ethernet, bandwidth: 100 Gbps, latency: 1 us}\n"
                          "    - {from: b, to: sw, kind: ethernet, bandwidth: 100 Gbps, latency: 1 us}\n"
                          "collectives:\n"
                          "  jobs:\n"
                          "    - {op: send_recv, bytes: 1 GB}\n");
  const Topology t = build_topology(s.network->topology);
  CHECK(t.gpus().size() == 2);
  CHECK(t.link_count() == 4);
}

TEST_CASE("topology mistakes are reported with their path") {
  test::TempDir dir;
  CHECK_THROWS_WITH(load(dir, "topology:\n  node: dgx_h1000\ncollectives: {jobs: [{op: all_reduce, bytes: 1 MB}]}\n"),
                    Catch::Contains("topology.node") && Catch::Contains("dgx_h100"));
  CHECK_THROWS_WITH(load(dir, "topology:\n  node: dgx_h100\n  fabric: {kind: torus}\n"
                              "collectives: {jobs: [{op: all_reduce, bytes: 1 MB}]}\n"),
                    Catch::Contains("topology.fabric.kind"));
  CHECK_THROWS_WITH(load(dir, "topology:\n  node: dgx_h100\ncollectives: {jobs: [{op: all_reduce, bytes: 1 MB, gpus: 9}]}\n"),
                    Catch::Contains("gpus"));
  CHECK_THROWS_WITH(load(dir, "topology:\n  node: dgx_h100\ncollectives: {jobs: [{op: allreduce, bytes: 1 MB}]}\n"),
                    Catch::Contains("all_reduce"));
  CHECK_THROWS_WITH(load(dir, "collectives: {jobs: [{op: all_reduce, bytes: 1 MB}]}\n"), Catch::Contains("topology"));
  // In-network reduction is an InfiniBand switch feature.
  CHECK_THROWS_WITH(load(dir, "topology:\n  node: dgx_h100\n  nodes: 2\n  fabric: {kind: rail_optimized, link: ethernet}\n"
                              "collectives: {tuning: {sharp: quantum2}, jobs: [{op: all_reduce, bytes: 1 MB}]}\n"),
                    Catch::Contains("collectives.tuning.sharp") && Catch::Contains("InfiniBand"));
  CHECK_THROWS_WITH(load(dir, "topology:\n  node: dgx_h100\n  nodes: 2\n"
                              "collectives: {tuning: {sharp: quantum3}, jobs: [{op: all_reduce, bytes: 1 MB}]}\n"),
                    Catch::Contains("collectives.tuning.sharp") && Catch::Contains("quantum2"));
}

TEST_CASE("the two interconnect scenarios give different collective timings and link traffic") {
  // NVSwitch nodes + 400 Gb/s InfiniBand rails vs PCIe nodes + 100 GbE 3:1 leaf-spine, same jobs.
  test::TempDir dir;
  std::map<std::string, std::map<std::string, std::string>> summary;
  for (const std::string name : {"interconnect_nvswitch_ib", "interconnect_pcie_eth"}) {
    LoadOptions o;
    o.overrides = {"simulation.horizon=2 s"};
    const Scenario s = load_scenario(std::string(CLUSTERSIM_SOURCE_DIR) + "/configs/scenarios/" + name + ".yaml", o);
    RunOptions run;
    run.output = dir.path() / (name + ".h5");
    for (const auto& [k, v] : run_scenario(s, run).summary) summary[name][k] = v;
  }
  const auto& ib = summary["interconnect_nvswitch_ib"];
  const auto& eth = summary["interconnect_pcie_eth"];
  CHECK(std::stod(eth.at("collective_time_mean_s")) > 10 * std::stod(ib.at("collective_time_mean_s")));
  CHECK(ib.count("link_bytes_nvlink"));
  CHECK(!eth.count("link_bytes_nvlink"));
  CHECK(eth.count("link_bytes_ethernet"));
}
