#include <catch2/catch.hpp>

#include <set>

#include "topology/explicit_topology.hpp"
#include "topology/fabric_builder.hpp"
#include "topology/router.hpp"

using namespace cs;

namespace {

ClusterSpec dgx_cluster(int nodes, FabricKind kind) {
  ClusterSpec spec;
  spec.node = node_preset("dgx_h100");
  spec.nodes = nodes;
  spec.fabric.kind = kind;
  spec.fabric.leaf_ports = 16;
  return spec;
}

std::vector<std::string> names(const Topology& t, const Route& r) {
  std::vector<std::string> out;
  for (const LinkId l : r.links) out.push_back(t.link_name(l));
  return out;
}

}  // namespace

TEST_CASE("GPUs of one NVSwitch node talk through the switch in two hops") {
  const Topology t = build_cluster(dgx_cluster(2, FabricKind::kRailOptimized));
  Router router(t);
  const Route r = router.route(*t.find("n0.gpu1"), *t.find("n0.gpu6"));
  CHECK(names(t, r) == std::vector<std::string>{"n0.gpu1->n0.nvswitch", "n0.nvswitch->n0.gpu6"});
  CHECK(r.latency == Time::ns(500));  // two 250 ns NVLink hops
}

TEST_CASE("GPU i of two nodes on a rail fabric meet on rail switch i") {
  const Topology t = build_cluster(dgx_cluster(2, FabricKind::kRailOptimized));
  Router router(t);
  const Route r = router.route(*t.find("n0.gpu3"), *t.find("n1.gpu3"));
  // GPU 3 and NIC 3 share PCIe switch 3.
  CHECK(names(t, r) == std::vector<std::string>{"n0.gpu3->n0.pcie3", "n0.pcie3->n0.nic3", "n0.nic3->g0.rail3",
                                                "g0.rail3->n1.nic3", "n1.nic3->n1.pcie3", "n1.pcie3->n1.gpu3"});
}

TEST_CASE("routes never pass through a GPU or through a third node") {
  // GPU 0 of node 0 to GPU 5 of node 1: the rail fabric offers rail 0 -> spine -> rail 5 (8 hops);
  // a path through node 1's GPU 0 and NVSwitch is as short, but GPUs do not forward.
  const Topology t = build_cluster(dgx_cluster(3, FabricKind::kRailOptimized));
  Router router(t);
  const Route r = router.route(*t.find("n0.gpu0"), *t.find("n1.gpu5"));
  CHECK(r.links.size() == 8);
  for (const LinkId l : r.links) {
    const auto& to = t.vertex(t.link(l).to);
    CHECK((to.kind != VertexKind::kGpu || to.name == "n1.gpu5"));
    CHECK(to.node != 2);
  }
}

TEST_CASE("host memory reaches a GPU over PCIe, crossing sockets when the GPU hangs off the other one") {
  const Topology t = build_cluster(dgx_cluster(1, FabricKind::kNone));
  Router router(t);
  const Route r = router.route(*t.find("n0.mem1"), *t.find("n0.gpu2"));
  // GPU 2 is on PCIe switch 2, whose uplink goes to socket 0 (switches alternate sockets).
  CHECK(names(t, r) == std::vector<std::string>{"n0.mem1->n0.cpu1", "n0.cpu1->n0.cpu0", "n0.cpu0->n0.pcie2",
                                                "n0.pcie2->n0.gpu2"});
}

TEST_CASE("Ethernet ECMP spreads flows between two leaves over every spine, and each flow keeps its path") {
  ClusterSpec spec = dgx_cluster(4, FabricKind::kLeafSpine);  // 32 NICs, 2 leaves, 16 spines
  spec.fabric.link_kind = LinkKind::kEthernet;
  const Topology t = build_cluster(spec);
  Router router(t);
  const VertexId a = *t.find("n0.gpu0"), b = *t.find("n3.gpu0");
  std::set<std::string> spines;
  for (std::uint32_t label = 0; label < 256; ++label) {
    const Route r = router.route(a, b, label);
    REQUIRE(r.links.size() == 8);
    spines.insert(t.vertex(t.link(r.links[3]).to).name);
  }
  CHECK(spines.size() == 16);
  const auto first = names(t, router.route(a, b, 7));
  Router other(t);
  CHECK(names(t, other.route(a, b, 7)) == first);
}

TEST_CASE("fat-tree routes take 2, 4 or 6 fabric hops for same edge, same pod and other pod") {
  ClusterSpec spec;
  spec.node = node_preset("cpu_host");
  spec.nodes = 16;
  spec.fabric.kind = FabricKind::kFatTree;
  spec.fabric.fat_tree_k = 4;
  const Topology t = build_cluster(spec);
  Router router(t);
  // nvme -> cpu0 -> nic0, the fabric hops, then nic0 -> cpu0 -> mem0: 4 links besides the fabric.
  const auto hops = [&](int a, int b) {
    return router.route(*t.find("n" + std::to_string(a) + ".nvme"), *t.find("n" + std::to_string(b) + ".mem0"))
               .links.size() - 4;
  };
  CHECK(hops(0, 1) == 2);
  CHECK(hops(0, 2) == 4);
  CHECK(hops(0, 5) == 6);
}

TEST_CASE("an unreachable destination is reported by name") {
  ExplicitTopologySpec spec;
  spec.vertices = {{"a", VertexKind::kGpu, -1, false}, {"b", VertexKind::kGpu, -1, false}};
  const Topology t = build_explicit(spec);
  Router router(t);
  CHECK_THROWS_WITH(router.route(0, 1), Catch::Contains("unreachable"));
}

TEST_CASE("a route between directly linked GPUs outside any node is the one link") {
  ExplicitTopologySpec spec;
  spec.vertices = {{"a", VertexKind::kGpu, -1, false}, {"b", VertexKind::kGpu, -1, false}};
  spec.links = {{"a", "b", LinkKind::kNvLink, 1e9, std::nullopt, Time::us(2), true}};
  const Topology t = build_explicit(spec);
  Router router(t);
  CHECK(router.route(1, 0).links.size() == 1);
  CHECK(router.route(1, 0).latency == Time::us(2));
}

TEST_CASE("InfiniBand routes by destination: one spine per destination, destinations spread over spines") {
  const Topology t = build_cluster(dgx_cluster(4, FabricKind::kLeafSpine));  // 2 leaves of 16 ports, 16 spines
  Router router(t);
  // Every flow to n3.gpu0 crosses the same spine, whatever its source or label.
  std::set<std::string> to_one;
  for (const char* src : {"n0.gpu0", "n0.gpu5", "n1.gpu2"})
    for (std::uint32_t label = 0; label < 8; ++label)
      to_one.insert(t.vertex(t.link(router.route(*t.find(src), *t.find("n3.gpu0"), label).links[3]).to).name);
  CHECK(to_one.size() == 1);
  // The 16 GPUs of nodes 2 and 3 (ports 16..31 on leaf 1) own 16 different spines (d mod 16).
  std::set<std::string> spread;
  for (int node = 2; node < 4; ++node)
    for (int g = 0; g < 8; ++g)
      spread.insert(t.vertex(t.link(router.route(*t.find("n0.gpu0"),
                                                  *t.find("n" + std::to_string(node) + ".gpu" + std::to_string(g)))
                                        .links[3]).to).name);
  CHECK(spread.size() == 16);
}

TEST_CASE("a node's NICs on different fat-tree edge switches: traffic enters and leaves by each GPU's own NIC") {
  // 4 DGX nodes x 8 NICs = 32 NICs; the smallest even k with k^3/4 >= 32 is 6, whose edge
  // switches take k/2 = 3 NICs each, so every node's NICs straddle three edge switches.
  // Counting hops alone, n1.gpu5 is as near a switch holding n1.nic3 (then PCIe and the CPU)
  // as its own NIC's; the route must still come in through n1.nic5 and touch no CPU.
  ClusterSpec spec = dgx_cluster(4, FabricKind::kFatTree);
  const Topology t = build_cluster(spec);
  Router router(t);
  for (int src = 0; src < 8; ++src)
    for (int dst = 0; dst < 8; ++dst) {
      const std::string from = "n0.gpu" + std::to_string(src), to = "n1.gpu" + std::to_string(dst);
      const Route r = router.route(*t.find(from), *t.find(to));
      bool left_by_own_nic = false, entered_by_own_nic = false;
      for (const LinkId l : r.links) {
        const LinkInfo& link = t.link(l);
        INFO(from << " -> " << to << " crosses " << t.link_name(l));
        CHECK(t.vertex(link.from).kind != VertexKind::kCpu);
        CHECK(t.vertex(link.to).kind != VertexKind::kCpu);
        if (t.vertex(link.from).name == "n0.nic" + std::to_string(src)) left_by_own_nic = true;
        if (t.vertex(link.to).name == "n1.nic" + std::to_string(dst)) entered_by_own_nic = true;
      }
      CHECK(left_by_own_nic);
      CHECK(entered_by_own_nic);
    }
}
