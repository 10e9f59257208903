#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>

#include "network_test_support.hpp"
#include "sim/network/collective_runner.hpp"
#include "sim/network/collectives.hpp"
#include "sim/network/tree_channels.hpp"

using namespace cs;
using namespace cs::testing;

namespace {

// `nodes` servers of `k` GPUs. Inside a server each GPU has a 100 GB/s NVLink cable (1 us) to the
// server's NVSwitch; each GPU has its own NIC (PCIe, no latency) with a 10 GB/s InfiniBand cable
// (2 us) to one network switch. A step inside a node crosses 2 us of cable, one between nodes 4 us.
Topology servers(int nodes, int k) {
  ExplicitTopologySpec spec;
  spec.vertices.push_back({"sw", VertexKind::kNetworkSwitch, -1, false});
  for (int n = 0; n < nodes; ++n) {
    const std::string node = std::to_string(n);
    spec.vertices.push_back({"nvs" + node, VertexKind::kNvSwitch, n, false});
    for (int i = 0; i < k; ++i) {
      const std::string g = "g" + node + "_" + std::to_string(i), nic = "nic" + node + "_" + std::to_string(i);
      spec.vertices.push_back({g, VertexKind::kGpu, n, false});
      spec.vertices.push_back({nic, VertexKind::kNic, n, false});
      spec.links.push_back({g, "nvs" + node, LinkKind::kNvLink, 100e9, std::nullopt, Time::us(1), true});
      spec.links.push_back({g, nic, LinkKind::kPcie, 1e12, std::nullopt, Time{}, true});
      spec.links.push_back({nic, "sw", LinkKind::kInfiniBand, 10e9, std::nullopt, Time::us(2), true});
    }
  }
  return build_explicit(spec);
}

// Simple with no launch or base latency, 1 us per NVLink handshake and 3 us per network one.
CollectiveTuning plain_latencies() {
  CollectiveTuning t;
  t.launch_overhead = Time{};
  t.protocol = CollectiveProtocol::kSimple;
  t.protocols[2] = ProtocolCost{Time{}, Time::us(1), Time{}, Time::us(3), 1.0};
  return t;
}

std::vector<VertexId> all_gpus(const Topology& t) { return {t.gpus().begin(), t.gpus().end()}; }

LinkId link_between(const Topology& t, const std::string& from, const std::string& to) {
  const VertexId a = *t.find(from), b = *t.find(to);
  for (LinkId l = 0; l < t.link_count(); ++l)
    if (t.link(l).from == a && t.link(l).to == b) return l;
  FAIL("no link " << from << " -> " << to);
  return 0;
}

}  // namespace

TEST_CASE("the tree across nodes is a double binary tree over the nodes with a chain in each node, one per NIC") {
  // 4 nodes of 3 GPUs, group in node order. Channel c's chain starts at local index c.
  GroupLayout layout;
  layout.by_node = {{0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {9, 10, 11}};
  layout.uniform = true;
  const TreeChannels tc = tree_channels(layout, 12);
  REQUIRE(tc.orders.size() == 3);
  CHECK(tc.orders[1] == std::vector<std::size_t>{1, 2, 0, 4, 5, 3, 7, 8, 6, 10, 11, 9});
  CHECK(tc.per_node == 3);
  CHECK(tc.chain_depth == 2);
  CHECK(tc.tree_depth == 2);  // 4 nodes: positions 1..4, root 4, then 2, then 1 and 3
  // Tree 0 over nodes: node 3 is the root, node 1 its child, nodes 0 and 2 node 1's children.
  const TreeShape& t0 = tc.trees[0];
  CHECK(t0.root == 9);
  CHECK(t0.parent[3] == 9);
  CHECK(t0.parent[0] == 3);
  CHECK(t0.parent[6] == 3);
  // The chain: position 4 below head 3, position 5 below 4; heads hold it in the third slot.
  CHECK(t0.parent[4] == 3);
  CHECK(t0.parent[5] == 4);
  CHECK(t0.children[3][2] == 4);
  CHECK(t0.children[5][2] == -1);
  CHECK(tc.chain_edge(4));
  CHECK_FALSE(tc.chain_edge(3));
  // The shifted tree: node 2 is the root; each node is inside (three tree edges) in at most one.
  CHECK(tc.trees[1].root == 6);
  // A group in one node keeps the double binary tree over its ranks.
  GroupLayout one;
  one.by_node = {{0, 1, 2, 3}};
  one.uniform = true;
  const TreeChannels flat = tree_channels(one, 4);
  CHECK(flat.orders.size() == 1);
  CHECK(flat.chain_depth == 0);
  CHECK_FALSE(flat.chain_edge(1));
}

TEST_CASE("a tree all-reduce at a tiny size takes 2 log2(nodes) network steps and 2 (k-1) chain steps") {
  // 16 nodes of 2 GPUs: depth log2(16) = 4 between nodes, 1 chain edge in each node. A network
  // step is 4 us of cable + 3 us handshake, a chain step 2 us + 1 us:
  //   2 x 4 x 7 us + 2 x 1 x 3 us = 62 us (NCCL's tuning model: 2 ((k-1) intra + log2(n) inter)).
  Net net(servers(16, 2));
  Collectives c(net.network, plain_latencies());
  const auto group = all_gpus(net.topo);
  const double s = 64;
  const double expected = 62e-6;
  CHECK(c.cost_model().estimate_seconds(CollectiveOp::kAllReduce, CollectiveAlgorithm::kTree, group, s) ==
        Approx(expected).epsilon(0.01));
  CHECK(flow_level(net, c, {CollectiveOp::kAllReduce, group, s, CollectiveAlgorithm::kTree, 0}) ==
        Approx(expected).epsilon(0.01));
  // The ring pays 2(n-1) = 62 steps of the mean edge (half in nodes 3 us, half between 7 us).
  CHECK(c.cost_model().estimate_seconds(CollectiveOp::kAllReduce, CollectiveAlgorithm::kRing, group, s) ==
        Approx(62 * 5e-6).epsilon(0.01));
}

TEST_CASE("a tree all-reduce moves S/(2C) per tree edge and direction on every channel") {
  // 4 nodes of 2 GPUs (C = 2 channels), S = 1 GB. Each channel's tree edge carries S/(2C) = S/4
  // each way, in each of the two trees.
  //  InfiniBand: 2 trees x 3 edges x 2 directions x S/4 x 2 channels, each edge over 2 cables: 12 S.
  //  NVLink: per node and channel 1 chain edge x 2 directions x 2 trees x S/4, over 2 cables,
  //          x 2 channels x 4 nodes: 16 S.
  //  Node 0 sits inside tree 1 (three edges) and is a leaf of tree 0 (one): its head NIC sends
  //  4 x S/4 = S; node 2 is a leaf in both: S/2.
  Net net(servers(4, 2));
  Collectives c(net.network, plain_latencies());
  const double s = 1e9;
  flow_level(net, c, {CollectiveOp::kAllReduce, all_gpus(net.topo), s, CollectiveAlgorithm::kTree, 0});
  CHECK(net.network.kind_bytes(LinkKind::kInfiniBand) == Approx(12 * s));
  CHECK(net.network.kind_bytes(LinkKind::kNvLink) == Approx(16 * s));
  for (const char* nic : {"nic0_0", "nic0_1"}) CHECK(net.network.link_bytes(link_between(net.topo, nic, "sw")) == Approx(s));
  CHECK(net.network.link_bytes(link_between(net.topo, "nic2_0", "sw")) == Approx(s / 2));
  // Each GPU is the head of one chain (sends S/2 down) and the tail of the other (sends S/2 up).
  CHECK(net.network.link_bytes(link_between(net.topo, "g1_0", "nvs1")) == Approx(s));
}

TEST_CASE("auto picks the tree over the ring where its log2(nodes) latency wins, the ring at large sizes") {
  // 16 nodes of one GPU (no chain; hierarchical needs two a node): at 64 bytes the tree's
  // 2 x 4 x 7 us = 56 us beats the ring's 2 x 15 x 7 us = 210 us. At 1 GiB the tree moves 2S per
  // NIC and direction (4 edges of S/2), the ring 2(n-1)/n S = 1.875 S, and the tree has its fill.
  Net net(servers(16, 1));
  Collectives c(net.network, plain_latencies());
  const auto group = all_gpus(net.topo);
  CHECK(c.cost_model().estimate_seconds(CollectiveOp::kAllReduce, CollectiveAlgorithm::kTree, group, 64) ==
        Approx(56e-6).epsilon(0.01));
  CHECK(c.cost_model().estimate_seconds(CollectiveOp::kAllReduce, CollectiveAlgorithm::kRing, group, 64) ==
        Approx(210e-6).epsilon(0.01));
  CHECK(c.resolve({CollectiveOp::kAllReduce, group, 64, CollectiveAlgorithm::kAuto, 0}) == CollectiveAlgorithm::kTree);
  CHECK(c.resolve({CollectiveOp::kAllReduce, group, 1 << 30, CollectiveAlgorithm::kAuto, 0}) ==
        CollectiveAlgorithm::kRing);
}

TEST_CASE("the cost of the tree across DGX-A100 nodes agrees with its flows") {
  ClusterSpec spec;
  spec.node = node_preset("dgx_a100");
  spec.nodes = 4;
  spec.fabric.kind = FabricKind::kRailOptimized;
  Net net(build_cluster(spec), LinkEfficiency{});
  Collectives c(net.network);
  const auto group = all_gpus(net.topo);
  for (const double s : {64e3, 16e6, 1e9}) {
    const double analytic = c.cost_model().estimate_seconds(CollectiveOp::kAllReduce, CollectiveAlgorithm::kTree, group, s);
    const double simulated = flow_level(net, c, {CollectiveOp::kAllReduce, group, s, CollectiveAlgorithm::kTree, 0});
    CHECK(analytic == Approx(simulated).epsilon(0.1));
  }
}

TEST_CASE("nvls_tree reduces in each node's NVSwitch and across nodes on the tree, as its cost says") {
  ClusterSpec spec;
  spec.node = node_preset("dgx_h100");
  spec.nodes = 4;
  spec.fabric.kind = FabricKind::kRailOptimized;
  Net net(build_cluster(spec), LinkEfficiency{});
  Collectives c(net.network);
  const auto group = all_gpus(net.topo);
  REQUIRE(c.cost_model().supports(CollectiveOp::kAllReduce, CollectiveAlgorithm::kNvlsTree, group));
  CHECK_FALSE(c.cost_model().supports(CollectiveOp::kAllGather, CollectiveAlgorithm::kNvlsTree, group));
  const std::vector<VertexId> one_node(group.begin(), group.begin() + 8);
  CHECK_FALSE(c.cost_model().supports(CollectiveOp::kAllReduce, CollectiveAlgorithm::kNvlsTree, one_node));
  // The tree between nodes takes chunk after chunk (NCCL's pipelining), and the estimate pays a
  // chunk's trip once: within 10% of the flows from latency- to bandwidth-bound sizes.
  for (const double s : {64e3, 16e6, 1e9}) {
    const double analytic =
        c.cost_model().estimate_seconds(CollectiveOp::kAllReduce, CollectiveAlgorithm::kNvlsTree, group, s);
    const double simulated =
        flow_level(net, c, {CollectiveOp::kAllReduce, group, s, CollectiveAlgorithm::kNvlsTree, 0});
    INFO(s << " B: estimate " << analytic * 1e6 << " us, flows " << simulated * 1e6 << " us");
    std::printf("nvls_tree %g B: estimate %.1f us flows %.1f us\n", s, analytic * 1e6, simulated * 1e6);
    CHECK(analytic == Approx(simulated).epsilon(0.1));
  }
  CHECK(collective_algorithm_from_string("nvls_tree") == CollectiveAlgorithm::kNvlsTree);
  CHECK(to_string(CollectiveAlgorithm::kNvlsTree) == "nvls_tree");

  // DGX-A100 has no NVLink SHARP: no nvls_tree.
  spec.node = node_preset("dgx_a100");
  Net a100(build_cluster(spec), LinkEfficiency{});
  Collectives ca(a100.network);
  CHECK_FALSE(ca.cost_model().supports(CollectiveOp::kAllReduce, CollectiveAlgorithm::kNvlsTree, all_gpus(a100.topo)));
}
