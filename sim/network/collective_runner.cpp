#include "sim/network/collective_runner.hpp"

#include <stdexcept>

namespace cs {

CollectiveRunner::CollectiveRunner(const Topology& topo, LinkEfficiency efficiency, CollectiveTuning tuning,
                                   bool adaptive_routing)
    : router_(topo), efficiency_(efficiency), tuning_(std::move(tuning)), adaptive_routing_(adaptive_routing) {}

CollectiveRun CollectiveRunner::run(const CollectiveRequest& request, std::size_t busiest_links) {
  Engine engine(1);
  FlowNetwork network(engine, router_, efficiency_);
  network.set_adaptive_routing(adaptive_routing_);
  Collectives collectives(network, tuning_);
  CollectiveRun out;
  bool done = false;
  collectives.on_complete.connect([&](const CollectiveRecord& r) {
    out.record = r;
    done = true;
  });
  collectives.start(request);
  engine.run();
  if (!done) throw std::logic_error("collective did not complete (a dependency was never met)");
  out.events = engine.events_processed();
  out.flows = network.stats();
  out.busiest_links = network.busiest_links(busiest_links);
  return out;
}

}  // namespace cs
