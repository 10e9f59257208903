#include "sim/network/fabric.hpp"

#include "sim/network/collective_cost.hpp"

namespace cs {

struct Fabric::Idle {
  Router router;
  FlowNetwork network;
  CollectiveCostModel cost;
  Idle(Engine& engine, const Topology& topology, const LinkEfficiency& efficiency, const CollectiveTuning& tuning)
      : router(topology), network(engine, router, efficiency), cost(network, tuning) {}
};

Fabric::Fabric(Engine& engine, const TopologySpec& topology, const CollectiveTuning& tuning)
    : spec_(topology),
      tuning_(tuning),
      topology_(std::make_unique<Topology>(build_topology(spec_))),
      router_(std::make_unique<Router>(*topology_)),
      network_(std::make_unique<FlowNetwork>(engine, *router_, spec_.efficiency)),
      collectives_(std::make_unique<Collectives>(*network_, tuning_)) {
  if (const auto* cluster = std::get_if<ClusterSpec>(&spec_.layout); cluster && cluster->fabric.adaptive_routing)
    network_->set_adaptive_routing(true);
}

Fabric::~Fabric() = default;

CollectiveCostModel& Fabric::idle_cost_model() {
  if (!idle_) {
    idle_ = std::make_unique<Idle>(engine(), *topology_, spec_.efficiency, tuning_);
    // The same switches: on an idle fabric adaptive routing still spreads a collective's own
    // routes over the equal-cost paths (each sees the others as load), as its flows would.
    if (router_->adaptive()) idle_->network.set_adaptive_routing(true);
  }
  return idle_->cost;
}

}  // namespace cs
