#include "sim/network/fabric.hpp"

namespace cs {

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

}  // namespace cs
