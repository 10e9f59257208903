#include <catch2/catch.hpp>

#include "network_test_support.hpp"
#include "sim/network/flow_class.hpp"

using namespace cs;
using namespace cs::testing;

namespace {

struct Recorder {
  std::vector<double> done_s = std::vector<double>(16, -1);
  Engine* engine = nullptr;
  Callback at(int i) {
    return [this, i] { done_s[static_cast<std::size_t>(i)] = engine->now().seconds(); };
  }
};

}  // namespace

TEST_CASE("two flows sharing one link each get half its bandwidth") {
  // g0 -> sw -> g1 and g2 -> sw -> g1 share the sw->g1 link (10 GB/s).
  Net net(star(3, 10e9, Time{}));
  Recorder rec{.engine = &net.engine};
  const FlowId a = net.network.start(net.v("g0"), net.v("g1"), 1e9, rec.at(0));
  const FlowId b = net.network.start(net.v("g2"), net.v("g1"), 1e9, rec.at(1));
  net.engine.run_until(Time::ms(1));
  CHECK(net.network.rate(a) == Approx(5e9));
  CHECK(net.network.rate(b) == Approx(5e9));
  net.engine.run();
  // 1 GB at 5 GB/s = 0.2 s each.
  CHECK(rec.done_s[0] == Approx(0.2));
  CHECK(rec.done_s[1] == Approx(0.2));
  CHECK(net.network.link_bytes(net.topo.link(net.router.route(net.v("g0"), net.v("g1")).links[1]).id) ==
        Approx(2e9));
}

TEST_CASE("settle gives the instant's rates at once and the recompute it ran is not left as an event") {
  // Two flows into g1 share sw->g1 (10 GB/s). Without settle the rates come with the
  // recompute event at the end of the instant; settle runs it now and cancels that event, so
  // the run is one event shorter and otherwise the same.
  auto run = [](bool settle) {
    Net net(star(3, 10e9, Time{}));
    Recorder rec{.engine = &net.engine};
    const FlowId a = net.network.start(net.v("g0"), net.v("g1"), 1e9, rec.at(0));
    net.network.start(net.v("g2"), net.v("g1"), 1e9, rec.at(1));
    if (settle) {
      net.network.settle();
      CHECK(net.network.rate(a) == Approx(5e9));
    }
    net.engine.run();
    CHECK(rec.done_s[0] == Approx(0.2));
    CHECK(rec.done_s[1] == Approx(0.2));
    return net.engine.events_processed();
  };
  CHECK(run(true) == run(false) - 1);
}

TEST_CASE("a flow that joins later slows the first one down and both finish when the bytes say") {
  // A: 1 GB alone at 10 GB/s for 50 ms (0.5 GB sent), then 5 GB/s each until A ends at
  // 50 + 0.5/5 = 150 ms; B has sent 0.5 GB by then and finishes alone: 150 + 0.5/10 = 200 ms.
  Net net(star(3, 10e9, Time{}));
  Recorder rec{.engine = &net.engine};
  net.network.start(net.v("g0"), net.v("g1"), 1e9, rec.at(0));
  net.engine.schedule_at(Time::ms(50), [&] { net.network.start(net.v("g2"), net.v("g1"), 1e9, rec.at(1)); });
  net.engine.run();
  CHECK(rec.done_s[0] == Approx(0.15));
  CHECK(rec.done_s[1] == Approx(0.20));
}

TEST_CASE("a handle kept past its flow's end does not stop the flow that reused its id") {
  // A (1 GB at 10 GB/s) sends its last byte at 0.1 s and is delivered 2 x 1 ms later; B starts
  // in between on the freed id. Stopping through A's handle must leave B running: B alone
  // sends 1 GB at 10 GB/s, delivered at 0.1005 + 0.1 + 0.002 s.
  Net net(star(3, 10e9, Time::ms(1)));
  Recorder rec{.engine = &net.engine};
  const FlowHandle a = net.network.handle(net.network.start(net.v("g0"), net.v("g1"), 1e9, rec.at(0)));
  net.engine.run_until(Time::us(100'500));
  REQUIRE_FALSE(net.network.active(a));
  const FlowHandle b = net.network.handle(net.network.start(net.v("g2"), net.v("g1"), 1e9, rec.at(1)));
  REQUIRE(b.id == a.id);  // the recycled record
  CHECK_FALSE(b == a);
  CHECK(net.network.rate(a) == 0);
  CHECK(net.network.remaining(a) == 0);
  net.network.stop(a);
  CHECK(net.network.active(b));
  net.engine.run();
  CHECK(rec.done_s[0] == Approx(0.102));
  CHECK(rec.done_s[1] == Approx(0.2025));
  // A null handle (a zero-byte flow) is never active, and stopping it does nothing.
  CHECK_FALSE(net.network.active(net.network.handle(FlowNetwork::kNoFlow)));
  net.network.stop(FlowHandle{});
}

TEST_CASE("max-min fairness gives a flow limited elsewhere its bottleneck and the rest to the others") {
  // g1 has a 2 GB/s link; flows g0->g2 and g1->g2 share sw->g2 (10 GB/s). g1's flow is held to
  // 2 GB/s by its own link, so g0's flow gets the remaining 8 GB/s, not 5.
  ExplicitTopologySpec spec;
  spec.vertices = {{"sw", VertexKind::kNetworkSwitch, -1, false},
                   {"g0", VertexKind::kGpu, -1, false},
                   {"g1", VertexKind::kGpu, -1, false},
                   {"g2", VertexKind::kGpu, -1, false}};
  spec.links = {{"g0", "sw", LinkKind::kEthernet, 10e9, std::nullopt, Time{}, true},
                {"g1", "sw", LinkKind::kEthernet, 2e9, std::nullopt, Time{}, true},
                {"g2", "sw", LinkKind::kEthernet, 10e9, std::nullopt, Time{}, true}};
  Net net(build_explicit(spec));
  const FlowId a = net.network.start(net.v("g0"), net.v("g2"), 1e9, [] {});
  const FlowId b = net.network.start(net.v("g1"), net.v("g2"), 1e9, [] {});
  net.engine.run_until(Time::ns(1));
  CHECK(net.network.rate(a) == Approx(8e9));
  CHECK(net.network.rate(b) == Approx(2e9));
}

TEST_CASE("a rate cap holds a flow below its fair share and frees the rest for others") {
  Net net(star(3, 10e9, Time{}));
  const FlowId a = net.network.start(net.v("g0"), net.v("g1"), 1e9, [] {}, 0, 3e9);
  const FlowId b = net.network.start(net.v("g2"), net.v("g1"), 1e9, [] {});
  net.engine.run_until(Time::ns(1));
  CHECK(net.network.rate(a) == Approx(3e9));
  CHECK(net.network.rate(b) == Approx(7e9));
}

TEST_CASE("path latency is added once per hop after the last byte is sent") {
  // 1 MB at 10 GB/s = 100 us, plus two 1.5 us hops.
  Net net(star(2, 10e9, Time::ns(1500)));
  Recorder rec{.engine = &net.engine};
  net.network.start(net.v("g0"), net.v("g1"), 1e6, rec.at(0));
  net.engine.run();
  CHECK(rec.done_s[0] == Approx(100e-6 + 3e-6));
}

TEST_CASE("a flow on disjoint links neither changes nor reschedules the flows already running") {
  Net net(star(4, 10e9, Time{}));
  Recorder rec{.engine = &net.engine};
  net.network.start(net.v("g0"), net.v("g1"), 1e9, rec.at(0));
  net.engine.schedule_at(Time::ms(10), [&] { net.network.start(net.v("g2"), net.v("g3"), 1e9, rec.at(1)); });
  net.engine.run();
  CHECK(rec.done_s[0] == Approx(0.1));
  CHECK(rec.done_s[1] == Approx(0.11));
  CHECK(net.network.stats().reschedules == 0);
  CHECK(net.network.stats().flows_recomputed == 2);  // each recomputation saw one flow
}

TEST_CASE("every flow crossing a 4:1 oversubscribed leaf-spine gets a quarter of its port rate") {
  // 8 hosts, 4 NIC ports per leaf -> 2 leaves; 4:1 -> one spine with a 4 x 50 / 4 = 50 GB/s
  // uplink per leaf. Hosts 0-3 send to 4-7 and back: 4 flows per uplink, 12.5 GB/s each.
  ClusterSpec spec;
  spec.node = node_preset("cpu_host");
  spec.node.nic_bytes_per_s = 50e9;
  spec.nodes = 8;
  spec.fabric.kind = FabricKind::kLeafSpine;
  spec.fabric.leaf_ports = 4;
  spec.fabric.oversubscription = 4;
  Net net(build_cluster(spec));
  std::vector<FlowId> flows;
  for (int i = 0; i < 8; ++i)
    flows.push_back(net.network.start(net.v("n" + std::to_string(i) + ".mem0"),
                                      net.v("n" + std::to_string((i + 4) % 8) + ".mem0"), 1e9, [] {}));
  net.engine.run_until(Time::ns(1));
  for (const FlowId f : flows) CHECK(net.network.rate(f) == Approx(50e9 / 4));
}

TEST_CASE("link and link-kind byte counters add up what the flows carried") {
  Net net(star(3, 10e9, Time{}));
  net.network.start(net.v("g0"), net.v("g1"), 2e9, [] {});
  net.network.start(net.v("g0"), net.v("g2"), 1e9, [] {});
  net.engine.run_until(Time::ms(100));
  // g0's uplink is shared 5/5 GB/s for 100 ms: 1 GB carried so far; 4 link traversals x 0.5 GB.
  CHECK(net.network.kind_bytes(LinkKind::kEthernet) == Approx(2e9));
  net.engine.run();
  // Each flow crosses two links: 2 x (2 + 1) GB.
  CHECK(net.network.kind_bytes(LinkKind::kEthernet) == Approx(6e9));
  const auto top = net.network.busiest_links(1);
  REQUIRE(top.size() == 1);
  CHECK(net.topo.link_name(top[0]) == "g0->sw");
  CHECK(net.network.link_bytes(top[0]) == Approx(3e9));
  CHECK(net.network.active_flows() == 0);
}

TEST_CASE("link efficiency scales the capacity a flow sees") {
  LinkEfficiency eff;
  eff.ethernet = 0.9;
  Net net(star(2, 10e9, Time{}), eff);
  const FlowId a = net.network.start(net.v("g0"), net.v("g1"), 1e9, [] {});
  net.engine.run_until(Time::ns(1));
  CHECK(net.network.rate(a) == Approx(9e9));
}

TEST_CASE("a flow class of two members on one link moves at half its rate and shares max-min with a lone flow") {
  // Class: g0->sw->g2 and g1->sw->g2 in lockstep: the sw->g2 link carries 2 members, each
  // g->sw link one. A lone flow g3->sw->g2 joins the sw->g2 link: 3 members share 10 GB/s,
  // 10/3 GB/s each, until the class has moved its 1 GB per member.
  Net net(star(4, 10e9, Time{}));
  Recorder rec{.engine = &net.engine};
  FlowClassLinks links(net.topo.link_count());
  links.add(net.router.route(net.v("g0"), net.v("g2")));
  links.add(net.router.route(net.v("g1"), net.v("g2")));
  const auto into_g2 = net.router.route(net.v("g0"), net.v("g2")).links[1];
  REQUIRE(links.links().size() == 3);
  const FlowId c = net.network.start_class(links.links(), 1e9, rec.at(0), Time::us(7));
  const FlowId f = net.network.start(net.v("g3"), net.v("g2"), 2e9, rec.at(1));
  net.engine.run_until(Time::ms(1));
  CHECK(net.network.rate(c) == Approx(10e9 / 3));
  CHECK(net.network.rate(f) == Approx(10e9 / 3));
  CHECK(net.network.link_flow_count(into_g2) == 3);
  CHECK(net.network.link_rate(into_g2) == Approx(10e9));
  net.engine.run();
  // Class: 1 GB at 10/3 GB/s = 0.3 s, + 7 us. Lone flow: 1 GB by 0.3 s, then 1 GB alone at 10 GB/s.
  CHECK(rec.done_s[0] == Approx(0.3 + 7e-6));
  CHECK(rec.done_s[1] == Approx(0.4));
  CHECK(net.network.link_bytes(into_g2) == Approx(4e9));
}
