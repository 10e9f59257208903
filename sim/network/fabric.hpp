#pragma once
// The one network of a run: the scenario's topology, its router, the flow network every
// transfer shares (on the run's engine) and the collectives over it with their cost model.
// The simulation builds it once and hands it by reference to what moves bytes — collective
// jobs, training jobs' gradient reductions (standing flow classes, network_speed_model.hpp),
// serving replica placement — so that all of them meet on the same links: a link's load, its
// timeline and its version (which invalidates the cost model's cached prices) are one.
//
// Serving replicas are priced at placement (their TP/PP/EP collectives through the cost
// model, which reads the links' load at that instant). Those whose GPUs span nodes carry
// their inter-node traffic here as standing flow classes while busy (replica_traffic.hpp) and
// are priced on idle_cost_model() instead: their own traffic is in the analytical price
// already, and what others take from them comes back through their class's max-min rate.
#include <memory>

#include "sim/engine/engine.hpp"
#include "sim/network/collectives.hpp"
#include "sim/network/flow_network.hpp"
#include "sim/network/network_spec.hpp"
#include "topology/router.hpp"
#include "topology/topology_graph.hpp"

namespace cs {

class Fabric {
 public:
  Fabric(Engine& engine, const TopologySpec& topology, const CollectiveTuning& tuning = {});
  ~Fabric();
  Fabric(const Fabric&) = delete;
  Fabric& operator=(const Fabric&) = delete;

  const TopologySpec& spec() const { return spec_; }
  const Topology& topology() const { return *topology_; }
  Router& router() { return *router_; }
  FlowNetwork& network() { return *network_; }
  const FlowNetwork& network() const { return *network_; }
  Collectives& collectives() { return *collectives_; }
  CollectiveCostModel& cost_model() { return collectives_->cost_model(); }
  // The same cost model over the same topology with no traffic at all (its own router, routing
  // as the fabric's does, and a flow network that never carries a flow), built on first use.
  CollectiveCostModel& idle_cost_model();
  const LinkEfficiency& efficiency() const { return spec_.efficiency; }
  const CollectiveTuning& tuning() const { return tuning_; }
  Engine& engine() { return network_->engine(); }

 private:
  TopologySpec spec_;
  CollectiveTuning tuning_;
  std::unique_ptr<Topology> topology_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<FlowNetwork> network_;
  std::unique_ptr<Collectives> collectives_;
  struct Idle;
  std::unique_ptr<Idle> idle_;
};

}  // namespace cs
