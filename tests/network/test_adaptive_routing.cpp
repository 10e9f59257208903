// Adaptive routing as a fabric option: a flow takes, of the equally short paths, the one whose
// fullest link gives it the largest share when it starts, where static ECMP hashing or D-mod-K
// can put two flows on one link.
#include <catch2/catch.hpp>

#include <cstdio>

#include "network_test_support.hpp"
#include "sim/network/collective_runner.hpp"
#include "sim/network/ring_channels.hpp"

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

namespace {

// Leaves la (a0), lb (b0 b1 b2) and lc (c0) under spines s0 and s1, InfiniBand, 10 GB/s a link.
// D-mod-K numbers the ports a0 0, b0 1, b1 2, b2 3, c0 4: with two spines, destinations b0 and b2
// (ports 1 and 3) both own spine s1's way down to lb.
Topology three_leaves() {
  ExplicitTopologySpec spec;
  for (const char* sw : {"la", "lb", "lc", "s0", "s1"}) spec.vertices.push_back({sw, VertexKind::kNetworkSwitch, -1, false});
  for (const char* h : {"a0", "b0", "b1", "b2", "c0"}) spec.vertices.push_back({h, VertexKind::kGpu, -1, false});
  auto link = [&](const char* a, const char* b) {
    spec.links.push_back({a, b, LinkKind::kInfiniBand, 10e9, std::nullopt, Time::us(1), true});
  };
  link("a0", "la");
  for (const char* h : {"b0", "b1", "b2"}) link(h, "lb");
  link("c0", "lc");
  for (const char* leaf : {"la", "lb", "lc"})
    for (const char* spine : {"s0", "s1"}) link(leaf, spine);
  return build_explicit(spec);
}

// Rates of c0 -> b0, then (once it runs) a0 -> b2.
std::pair<double, double> two_flows_into_lb(bool adaptive) {
  Net net(three_leaves());
  net.network.set_adaptive_routing(adaptive);
  const FlowId first = net.network.start(net.v("c0"), net.v("b0"), 1e9, {});
  net.engine.run_until(Time::us(1));
  const FlowId second = net.network.start(net.v("a0"), net.v("b2"), 1e9, {});
  net.engine.run_until(Time::us(2));
  return {net.network.rate(first), net.network.rate(second)};
}

}  // namespace

TEST_CASE("adaptive routing takes the path whose fullest link is emptiest, not just the idlest next hop") {
  // D-mod-K sends both flows down s1 -> lb (the ports of b0 and b2 are equal mod 2): 5 GB/s each.
  const auto [c_static, a_static] = two_flows_into_lb(false);
  CHECK(c_static == Approx(5e9));
  CHECK(a_static == Approx(5e9));
  // Both of la's uplinks are idle, so a choice by the next hop alone would keep the static s1
  // and meet the first flow on s1's downlink; the path through s0 has a full 10 GB/s bottleneck.
  const auto [c_adaptive, a_adaptive] = two_flows_into_lb(true);
  CHECK(c_adaptive == Approx(10e9));
  CHECK(a_adaptive == Approx(10e9));
}

TEST_CASE("a collective's price does not leave its routes behind as load for the flows that follow") {
  ClusterSpec spec;
  spec.node = node_preset("dgx_a100");
  spec.nodes = 4;
  spec.fabric.kind = FabricKind::kFatTree;
  // The ring's routes as a ring alone would get them on the idle fabric ...
  auto links_of = [](Router& router, const RingRoutes& rings) {
    std::vector<LinkId> out;
    for (const auto& channel : rings.channels)
      for (const RouteId id : channel)
        for (const LinkId l : router.path(id).links) out.push_back(l);
    return out;
  };
  Net alone(build_cluster(spec), LinkEfficiency{});
  alone.network.set_adaptive_routing(true);
  const std::vector<VertexId> group(alone.topo.gpus().begin(), alone.topo.gpus().end());
  const auto expected = links_of(alone.router, ring_routes(alone.router, group, {}));
  // ... and after `auto` priced every algorithm (all in routing trials) at the same instant.
  Net priced(build_cluster(spec), LinkEfficiency{});
  priced.network.set_adaptive_routing(true);
  Collectives c(priced.network);
  c.resolve({CollectiveOp::kAllReduce, group, 8e9, CollectiveAlgorithm::kAuto, 0});
  CHECK(links_of(priced.router, ring_routes(priced.router, group, {})) == expected);
  // Adaptive routing keeps the static D-mod-K paths where they do not collide.
  Router fixed(alone.topo);
  CHECK(links_of(fixed, ring_routes(fixed, group, {})) == expected);
}

TEST_CASE("busbw on a non-blocking fat-tree does not fall as nodes are added under adaptive routing") {
  // NCCL's rail-aligned rings are collision-free under D-mod-K; adaptive routing takes the
  // static path wherever it is idle, so it is never slower, and `auto` never below the ring.
  double previous_ring = 0, previous_auto = 1e300;
  for (const int nodes : {2, 4, 8, 16}) {
    ClusterSpec spec;
    spec.node = node_preset("dgx_a100");
    spec.nodes = nodes;
    spec.fabric.kind = FabricKind::kFatTree;
    const Topology t = build_cluster(spec);
    const std::vector<VertexId> group(t.gpus().begin(), t.gpus().end());
    auto busbw = [&](CollectiveAlgorithm a, bool adaptive) {
      CollectiveRunner runner(t, {}, {}, adaptive);
      return runner.run({CollectiveOp::kAllReduce, group, 8e9, a, 0}).record.busbw_bytes_per_s();
    };
    const double ring = busbw(CollectiveAlgorithm::kRing, true), best = busbw(CollectiveAlgorithm::kAuto, true);
    INFO(nodes << " nodes: ring " << ring / 1e9 << " GB/s, auto " << best / 1e9 << " GB/s");
    std::printf("adaptive routing, %d DGX-A100 on a fat-tree: busbw ring %.1f auto %.1f GB/s\n", nodes, ring / 1e9,
                best / 1e9);
    CHECK(ring >= previous_ring * 0.99);
    CHECK(ring >= 0.99 * busbw(CollectiveAlgorithm::kRing, false));
    CHECK(best >= 0.99 * busbw(CollectiveAlgorithm::kAuto, false));
    CHECK(best >= 0.99 * ring);
    // Hierarchical all-reduce (auto's choice on few nodes) sends 2(m-1)/m x S/8 per NIC over m
    // nodes: its busbw falls towards the ring's as m grows, and never dips below it.
    CHECK(best <= previous_auto * 1.01);
    previous_ring = ring;
    previous_auto = best;
  }
}

TEST_CASE("adaptive routing does not create capacity on a 2:1 oversubscribed fabric") {
  // 8 DGX-A100 on leaves of 32 ports (4 nodes, 32 HDR NICs at 25 GB/s each) with 2:1
  // oversubscription: 16 spines, one 25 GB/s uplink to each, 400 GB/s up per leaf. In an
  // all-to-all of S over the 64 GPUs every GPU sends S/64 to each of the 32 GPUs on the other
  // leaf: 32 x 32 x S/64 = 16 S leave each leaf, so T >= 16 S / 400 GB/s = S / 25 GB/s (the
  // NICs alone would allow 56/64 of that), busbw = S/T x 63/64 <= 24.6 GB/s.
  ClusterSpec spec;
  spec.node = node_preset("dgx_a100");
  spec.nodes = 8;
  spec.fabric.kind = FabricKind::kLeafSpine;
  spec.fabric.oversubscription = 2;
  const Topology t = build_cluster(spec);
  const std::vector<VertexId> group(t.gpus().begin(), t.gpus().end());
  const double bound = 25e9 * 63.0 / 64.0;
  auto busbw = [&](bool adaptive) {
    CollectiveRunner runner(t, LinkEfficiency::ideal(), {}, adaptive);
    return runner.run({CollectiveOp::kAllToAll, group, 1e9, CollectiveAlgorithm::kDirect, 0}).record.busbw_bytes_per_s();
  };
  const double fixed = busbw(false), adaptive = busbw(true);
  INFO("static " << fixed / 1e9 << " GB/s, adaptive " << adaptive / 1e9 << " GB/s, bound " << bound / 1e9);
  CHECK(adaptive <= bound);
  CHECK(adaptive >= 0.99 * fixed);
  CHECK(adaptive >= 0.8 * bound);
}
