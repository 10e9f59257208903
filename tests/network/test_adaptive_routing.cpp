// Adaptive routing as a fabric option: a flow takes the least-loaded of equally short next hops
// when it starts, where static ECMP hashing can put two flows on one uplink.
#include <catch2/catch.hpp>

#include "network_test_support.hpp"
#include "sim/network/collective_runner.hpp"

using namespace cs;
using namespace cs::testing;

namespace {

// Two leaves of two hosts each, both leaves cabled to two spines; every link 10 GB/s.
Topology two_leaves() {
  ExplicitTopologySpec spec;
  for (const char* sw : {"la", "lb", "s0", "s1"}) spec.vertices.push_back({sw, VertexKind::kNetworkSwitch, -1, false});
  for (const char* h : {"a0", "a1", "b0", "b1"}) spec.vertices.push_back({h, VertexKind::kGpu, -1, false});
  auto link = [&](const char* a, const char* b) {
    spec.links.push_back({a, b, LinkKind::kEthernet, 10e9, std::nullopt, Time::us(1), true});
  };
  for (const char* h : {"a0", "a1"}) link(h, "la");
  for (const char* h : {"b0", "b1"}) link(h, "lb");
  for (const char* leaf : {"la", "lb"})
    for (const char* spine : {"s0", "s1"}) link(leaf, spine);
  return build_explicit(spec);
}

// The spine a route crosses (its second link's far end).
VertexId spine_of(Router& router, RouteId id) { return router.topology().link(router.path(id).links[1]).to; }

}  // namespace

TEST_CASE("adaptive routing sends a second flow up the idle spine where the static hash collides it") {
  const double S = 1e9;
  Net fixed(two_leaves());
  const VertexId a0 = fixed.v("a0"), a1 = fixed.v("a1"), b0 = fixed.v("b0"), b1 = fixed.v("b1");
  const VertexId first_spine = spine_of(fixed.router, fixed.router.route_id(a0, b0, 0));
  std::uint32_t colliding = 0;
  for (std::uint32_t label = 1; label < 64 && colliding == 0; ++label)
    if (spine_of(fixed.router, fixed.router.route_id(a1, b1, label)) == first_spine) colliding = label;
  REQUIRE(colliding != 0);
  // Static ECMP: both flows hash onto one spine and share its links at 5 GB/s each.
  const FlowId f0 = fixed.network.start(a0, b0, S, {}, 0);
  const FlowId f1 = fixed.network.start(a1, b1, S, {}, colliding);
  fixed.engine.run_until(Time::us(1));
  CHECK(fixed.network.rate(f0) == Approx(5e9));
  CHECK(fixed.network.rate(f1) == Approx(5e9));

  // Adaptive: the second flow, started at the same instant, sees the first on that uplink and
  // takes the other spine; both run at the full 10 GB/s.
  Net adaptive(two_leaves());
  adaptive.network.set_adaptive_routing(true);
  const FlowId g0 = adaptive.network.start(a0, b0, S, {}, 0);
  const FlowId g1 = adaptive.network.start(a1, b1, S, {}, colliding);
  adaptive.engine.run_until(Time::us(1));
  CHECK(adaptive.network.rate(g0) == Approx(10e9));
  CHECK(adaptive.network.rate(g1) == Approx(10e9));
  // With one flow on each spine, routes asked for at one instant count as load until flows
  // start: a0 -> b1 twice takes both spines, a third time the first again, on its old id.
  const RouteId r1 = adaptive.router.route_id(a0, b1, 0);
  const RouteId r2 = adaptive.router.route_id(a0, b1, 0);
  CHECK(spine_of(adaptive.router, r1) != spine_of(adaptive.router, r2));
  const std::size_t paths = adaptive.router.cached_routes();
  CHECK(adaptive.router.route_id(a0, b1, 0) == r1);
  CHECK(adaptive.router.cached_routes() == paths);
}

TEST_CASE("ring busbw on a non-blocking fat-tree does not fall as nodes are added under adaptive routing") {
  double previous = 0;
  for (const int nodes : {2, 4, 8}) {
    ClusterSpec spec;
    spec.node = node_preset("dgx_a100");
    spec.nodes = nodes;
    spec.fabric.kind = FabricKind::kFatTree;
    spec.fabric.adaptive_routing = true;
    const Topology t = build_cluster(spec);
    CollectiveRunner runner(t, {}, {}, true);
    const double busbw = runner
                             .run({CollectiveOp::kAllReduce, {t.gpus().begin(), t.gpus().end()}, 8e9,
                                   CollectiveAlgorithm::kRing, 0})
                             .record.busbw_bytes_per_s();
    INFO(nodes << " nodes: " << busbw / 1e9 << " GB/s");
    std::printf("adaptive routing, %d DGX-A100 on a fat-tree: ring busbw %.1f GB/s\n", nodes, busbw / 1e9);
    CHECK(busbw >= previous * 0.99);
    previous = busbw;
  }
}
