#include <catch2/catch.hpp>

#include <cmath>

#include "network_test_support.hpp"
#include "sim/network/collective_runner.hpp"

using namespace cs;
using namespace cs::testing;

namespace {

// The Simple protocol without latencies: pure bandwidth, for checks against S/B formulas.
CollectiveTuning no_overheads() {
  CollectiveTuning t;
  t.launch_overhead = Time{};
  t.protocol = CollectiveProtocol::kSimple;
  t.protocols[2] = ProtocolCost{Time{}, Time{}, Time{}, Time{}, 1.0};
  return t;
}

std::vector<VertexId> all_gpus(const Topology& t) { return {t.gpus().begin(), t.gpus().end()}; }

Topology dgx_cluster(const std::string& preset, int nodes) {
  ClusterSpec spec;
  spec.node = node_preset(preset);
  spec.nodes = nodes;
  spec.fabric.kind = nodes > 1 ? FabricKind::kRailOptimized : FabricKind::kNone;
  return build_cluster(spec);
}

CollectiveRecord run(const Topology& t, CollectiveOp op, CollectiveAlgorithm a, double bytes,
                     CollectiveTuning tuning = {}, LinkEfficiency eff = {}) {
  CollectiveRunner runner(t, eff, tuning);
  return runner.run({op, all_gpus(t), bytes, a, 0}).record;
}

}  // namespace

TEST_CASE("ring all-reduce on a non-blocking star takes 2(n-1)/n S/B + 2(n-1) step latencies") {
  // 8 GPUs on one switch, 10 GB/s links, 1 us per hop: a ring step crosses two hops (2 us).
  const double bw = 10e9;
  const Topology t = star(8, bw, Time::us(1));
  for (const double s : {1e9, 1e6, 64e3}) {
    const double expected = 2.0 * 7 / 8 * s / bw + 2.0 * 7 * 2e-6;
    const CollectiveRecord r = run(t, CollectiveOp::kAllReduce, CollectiveAlgorithm::kRing, s, no_overheads(),
                                   LinkEfficiency::ideal());
    CHECK(r.seconds() == Approx(expected).epsilon(0.01));
    CHECK(r.algorithm == CollectiveAlgorithm::kRing);
  }
}

TEST_CASE("ring all-gather and reduce-scatter take (n-1)/n S/B + (n-1) step latencies") {
  const double bw = 10e9, s = 512e6;
  const Topology t = star(4, bw, Time::us(1));
  const double expected = 3.0 / 4 * s / bw + 3 * 2e-6;
  for (const auto op : {CollectiveOp::kAllGather, CollectiveOp::kReduceScatter})
    CHECK(run(t, op, CollectiveAlgorithm::kRing, s, no_overheads(), LinkEfficiency::ideal()).seconds() ==
          Approx(expected).epsilon(0.01));
}

TEST_CASE("send/recv takes S/B plus the path latency, and busbw equals algbw") {
  const Topology t = star(2, 10e9, Time::us(1));
  const CollectiveRecord r = run(t, CollectiveOp::kSendRecv, CollectiveAlgorithm::kAuto, 1e9, no_overheads(),
                                 LinkEfficiency::ideal());
  CHECK(r.seconds() == Approx(0.1 + 2e-6));
  CHECK(r.busbw_bytes_per_s() == Approx(r.algbw_bytes_per_s()));
}

TEST_CASE("a pipelined broadcast takes (chunks + n - 2) chunk steps") {
  // 4 ranks, 64 MiB in 16 chunks of 4 MiB: (16 + 3 - 1) steps of 4 MiB / 10 GB/s + 2 us.
  const Topology t = star(4, 10e9, Time::us(1));
  const double s = 64.0 * 1024 * 1024;
  const CollectiveRecord r = run(t, CollectiveOp::kBroadcast, CollectiveAlgorithm::kAuto, s, no_overheads(),
                                 LinkEfficiency::ideal());
  CHECK(r.algorithm == CollectiveAlgorithm::kPipeline);
  CHECK(r.seconds() == Approx(18 * (s / 16 / 10e9 + 2e-6)).epsilon(0.01));
}

TEST_CASE("a double binary tree all-reduce moves about 2S per link at large sizes") {
  // 16 ranks on a star, 1 GiB: each rank's link carries ~2S each way (half the data per tree,
  // up and down, interior in one tree), so the time is close to 2S/B plus the pipeline fill.
  const Topology t = star(16, 10e9, Time::us(1));
  const double s = 1024.0 * 1024 * 1024;
  const CollectiveRecord r = run(t, CollectiveOp::kAllReduce, CollectiveAlgorithm::kTree, s, no_overheads(),
                                 LinkEfficiency::ideal());
  CHECK(r.seconds() > 2 * s / 10e9 * 0.95);
  CHECK(r.seconds() < 2 * s / 10e9 * 1.5);
}

TEST_CASE("a ring across two nodes runs one channel per NIC, so all eight NICs carry it") {
  // DGX H100: 8 channels, each leaving a node on its own 400 Gb/s NIC (50 GB/s x 0.94 = 47);
  // NVLink (450 x 0.8 = 360 GB/s a GPU) carries 7 channels' edges, 51 GB/s each: the NICs
  // bound every channel, busbw = 8 x 47 GB/s, not the one NIC of a single ring.
  const Topology t = dgx_cluster("dgx_h100", 2);
  const double s = 8.0 * 1024 * 1024 * 1024;
  const CollectiveRecord ring = run(t, CollectiveOp::kAllReduce, CollectiveAlgorithm::kRing, s);
  CHECK(ring.busbw_bytes_per_s() == Approx(8 * 47e9).epsilon(0.03));
  // Hierarchical, pipelined in chunks, moves S/8 per rail between the nodes and lands close.
  const CollectiveRecord hier = run(t, CollectiveOp::kAllReduce, CollectiveAlgorithm::kHierarchical, s);
  CHECK(hier.seconds() < ring.seconds() * 1.5);
}

TEST_CASE("all-to-all on a 4:1 oversubscribed leaf-spine is about 3.2x slower than on a fat-tree") {
  // 16 one-NIC hosts at 50 GB/s, S per rank, S/16 to each peer. Fat-tree (k=4, full bisection):
  // each NIC sends 15/16 S, so t = 15/16 S/B. Leaf-spine with 4 hosts per leaf and one 50 GB/s
  // uplink (4:1): the 4 x 12 remote flows of a leaf share the uplink, t = 48 x S/16 / B = 3 S/B.
  // Expected ratio 3 / (15/16) = 3.2.
  auto cluster = [](FabricKind kind) {
    ClusterSpec spec;
    spec.node = node_preset("cpu_host");
    spec.node.nic_bytes_per_s = 50e9;
    spec.nodes = 16;
    spec.fabric.kind = kind;
    spec.fabric.fat_tree_k = 4;
    spec.fabric.leaf_ports = 4;
    spec.fabric.oversubscription = 4;
    return build_cluster(spec);
  };
  auto a2a = [](const Topology& t) {
    std::vector<VertexId> hosts;
    for (int i = 0; i < 16; ++i) hosts.push_back(*t.find("n" + std::to_string(i) + ".mem0"));
    CollectiveRunner runner(t, LinkEfficiency::ideal(), no_overheads());
    return runner.run({CollectiveOp::kAllToAll, hosts, 1e9, CollectiveAlgorithm::kAuto, 0}).record.seconds();
  };
  const double fat = a2a(cluster(FabricKind::kFatTree));
  const double leaf_spine = a2a(cluster(FabricKind::kLeafSpine));
  CHECK(leaf_spine == Approx(3 * 1e9 / 50e9).epsilon(0.02));
  CHECK(leaf_spine / fat == Approx(3.2).epsilon(0.10));
}

TEST_CASE("8x H100 all-reduce at 8 GiB lands on the published NVLS and ring bus bandwidths") {
  // NCCL maintainers: ~480 GB/s busbw with NVLS, ~370 GB/s with rings on 8x H100 (DGX H100).
  const Topology t = dgx_cluster("dgx_h100", 1);
  const double s = 8.0 * 1024 * 1024 * 1024;
  const CollectiveRecord nvls = run(t, CollectiveOp::kAllReduce, CollectiveAlgorithm::kNvls, s);
  const CollectiveRecord ring = run(t, CollectiveOp::kAllReduce, CollectiveAlgorithm::kRing, s);
  CHECK(nvls.busbw_bytes_per_s() == Approx(480e9).epsilon(0.10));
  CHECK(ring.busbw_bytes_per_s() == Approx(370e9).epsilon(0.10));
  CHECK(run(t, CollectiveOp::kAllReduce, CollectiveAlgorithm::kAuto, s).algorithm == CollectiveAlgorithm::kNvls);
}

TEST_CASE("8x A100 ring all-reduce at 8 GiB lands on the published ~230 GB/s bus bandwidth") {
  const Topology t = dgx_cluster("dgx_a100", 1);
  const double s = 8.0 * 1024 * 1024 * 1024;
  const CollectiveRecord r = run(t, CollectiveOp::kAllReduce, CollectiveAlgorithm::kAuto, s);
  CHECK(r.algorithm == CollectiveAlgorithm::kRing);  // no NVLS on A100; ring beats tree at 8 GiB
  CHECK(r.busbw_bytes_per_s() == Approx(230e9).epsilon(0.10));
}

TEST_CASE("two NDR nodes reach ~46-48 GB/s bus bandwidth per NIC between nodes") {
  // One GPU per node on rail 0: the send/recv pair is limited by its 400 Gb/s NIC.
  const Topology t = dgx_cluster("dgx_h100", 2);
  CollectiveRunner runner(t);
  const double s = 1024.0 * 1024 * 1024;
  const auto r = runner.run({CollectiveOp::kSendRecv, {*t.find("n0.gpu0"), *t.find("n1.gpu0")}, s,
                             CollectiveAlgorithm::kAuto, 0});
  CHECK(r.record.busbw_bytes_per_s() >= 46e9);
  CHECK(r.record.busbw_bytes_per_s() <= 48e9);
}

TEST_CASE("the same collective run twice takes exactly the same time") {
  const Topology t = dgx_cluster("dgx_h100", 4);
  const double s = 256e6;
  const CollectiveRecord a = run(t, CollectiveOp::kAllReduce, CollectiveAlgorithm::kRing, s);
  const CollectiveRecord b = run(t, CollectiveOp::kAllReduce, CollectiveAlgorithm::kRing, s);
  CHECK(a.end == b.end);
}

TEST_CASE("an algorithm that cannot run the operation is rejected with its name") {
  const Topology t = dgx_cluster("dgx_a100", 1);
  CollectiveRunner runner(t);
  CHECK_THROWS_WITH(runner.run({CollectiveOp::kAllReduce, all_gpus(t), 1e6, CollectiveAlgorithm::kNvls, 0}),
                    Catch::Contains("nvls"));
  CHECK_THROWS_WITH(runner.run({CollectiveOp::kSendRecv, all_gpus(t), 1e6, CollectiveAlgorithm::kAuto, 0}),
                    Catch::Contains("exactly two"));
}
