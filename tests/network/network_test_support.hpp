#pragma once
// Small topologies for network tests: a star of GPUs around one switch, and a cluster of
// one-NIC hosts, with every link at its line rate.
#include <string>

#include "sim/network/collectives.hpp"
#include "sim/network/flow_network.hpp"
#include "topology/explicit_topology.hpp"
#include "topology/fabric_builder.hpp"

namespace cs::testing {

// n GPUs "g0".."g<n-1>" each on its own cable to switch "sw", `bytes_per_s` each way, `latency` per hop.
inline Topology star(int n, double bytes_per_s, Time latency) {
  ExplicitTopologySpec spec;
  spec.vertices.push_back({"sw", VertexKind::kNetworkSwitch, -1, false});
  for (int i = 0; i < n; ++i) {
    spec.vertices.push_back({"g" + std::to_string(i), VertexKind::kGpu, -1, false});
    spec.links.push_back({"g" + std::to_string(i), "sw", LinkKind::kEthernet, bytes_per_s, std::nullopt, latency, true});
  }
  return build_explicit(spec);
}

// Everything a flow test needs, built in order.
struct Net {
  explicit Net(Topology t, LinkEfficiency eff = LinkEfficiency::ideal())
      : topo(std::move(t)), router(topo), engine(1), network(engine, router, eff) {}
  VertexId v(const std::string& name) const { return *topo.find(name); }
  Topology topo;
  Router router;
  Engine engine;
  FlowNetwork network;
};

// Runs one collective on `net` now and returns its duration (the flows, to the end).
inline double flow_level(Net& net, Collectives& c, const CollectiveRequest& req) {
  double seconds = -1;
  const Time start = net.engine.now();
  c.start(req, [&] { seconds = (net.engine.now() - start).seconds(); });
  while (seconds < 0 && net.engine.pending_events() > 0) net.engine.run_until(net.engine.now() + Time::us(100));
  return seconds;
}

}  // namespace cs::testing
