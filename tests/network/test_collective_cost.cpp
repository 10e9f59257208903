#include <catch2/catch.hpp>

#include "network_test_support.hpp"
#include "sim/network/collectives.hpp"

using namespace cs;
using namespace cs::testing;

namespace {

Topology h100_node() {
  ClusterSpec spec;
  spec.node = node_preset("dgx_h100");
  spec.fabric.kind = FabricKind::kNone;
  return build_cluster(spec);
}

}  // namespace

TEST_CASE("the analytical cost of a TP all-reduce agrees with the flow-level simulation") {
  Net net(h100_node(), LinkEfficiency{});
  Collectives c(net.network);
  const std::vector<VertexId> group(net.topo.gpus().begin(), net.topo.gpus().end());
  for (const auto algorithm : {CollectiveAlgorithm::kRing, CollectiveAlgorithm::kNvls})
    for (const double s : {64e3, 16e6, 1e9}) {
      const double analytic = c.cost_model().estimate_seconds(CollectiveOp::kAllReduce, algorithm, group, s);
      const double simulated = flow_level(net, c, {CollectiveOp::kAllReduce, group, s, algorithm, 0});
      CHECK(analytic == Approx(simulated).epsilon(0.01));
    }
}

TEST_CASE("the cached analytical cost is recomputed when contention on its links changes") {
  Net net(h100_node(), LinkEfficiency{});
  Collectives c(net.network);
  const std::vector<VertexId> group(net.topo.gpus().begin(), net.topo.gpus().end());
  const double s = 256e6;
  const double idle = c.cost_model().estimate_seconds(CollectiveOp::kAllReduce, CollectiveAlgorithm::kRing, group, s);
  c.cost_model().estimate_seconds(CollectiveOp::kAllReduce, CollectiveAlgorithm::kRing, group, s);
  CHECK(c.cost_model().stats().computed == 1);
  CHECK(c.cost_model().stats().hits == 1);

  // A long transfer into GPU 0's NVLink from the host does not touch the ring's links...
  net.network.start(*net.topo.find("n0.mem0"), group[0], 1e12, [] {});
  net.engine.run_until(net.engine.now() + Time::us(1));
  CHECK(c.cost_model().estimate_seconds(CollectiveOp::kAllReduce, CollectiveAlgorithm::kRing, group, s) == idle);
  CHECK(c.cost_model().stats().invalidated == 0);

  // ...a background flow GPU 0 -> GPU 4 over NVLink does: the ring's 0->1 edge now gets half of
  // GPU 0's uplink, and every ring step waits for it.
  net.network.start(group[0], group[4], 1e12, [] {});
  net.engine.run_until(net.engine.now() + Time::us(1));
  const double loaded = c.cost_model().estimate_seconds(CollectiveOp::kAllReduce, CollectiveAlgorithm::kRing, group, s);
  CHECK(c.cost_model().stats().invalidated == 1);
  CHECK(loaded > 1.9 * idle * 0.9);
  const double simulated = flow_level(net, c, {CollectiveOp::kAllReduce, group, s, CollectiveAlgorithm::kRing, 0});
  CHECK(loaded == Approx(simulated).epsilon(0.03));
}

TEST_CASE("the automatic choice takes ring or tree by size on a large flat group") {
  // 64 ranks on one switch: at 1 KiB the tree's 2 log2(n) latencies beat the ring's 2(n-1);
  // at 1 GiB the ring's 2(n-1)/n S/B beats the tree's ~2 S/B.
  Net net(star(64, 25e9, Time::us(1)));
  Collectives c(net.network);
  const std::vector<VertexId> group(net.topo.gpus().begin(), net.topo.gpus().end());
  CHECK(c.resolve({CollectiveOp::kAllReduce, group, 1024, CollectiveAlgorithm::kAuto, 0}) == CollectiveAlgorithm::kTree);
  CHECK(c.resolve({CollectiveOp::kAllReduce, group, 1 << 30, CollectiveAlgorithm::kAuto, 0}) ==
        CollectiveAlgorithm::kRing);
}
