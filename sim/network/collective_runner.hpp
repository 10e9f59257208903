#pragma once
// One collective at a time on an otherwise idle network, the way nccl-tests measures: for the
// `clustersim collective` command, tests and benchmarks. The router (and its route cache) is
// shared across runs; every run gets a fresh engine and flow network.
#include <cstdint>

#include "sim/network/collectives.hpp"

namespace cs {

struct CollectiveRun {
  CollectiveRecord record;
  std::uint64_t events = 0;
  FlowNetworkStats flows;
  std::vector<LinkId> busiest_links;  // the links that carried the most bytes, if asked for
};

class CollectiveRunner {
 public:
  CollectiveRunner(const Topology& topo, LinkEfficiency efficiency = {}, CollectiveTuning tuning = {},
                   bool adaptive_routing = false);
  CollectiveRun run(const CollectiveRequest& request, std::size_t busiest_links = 0);
  Router& router() { return router_; }

 private:
  Router router_;
  LinkEfficiency efficiency_;
  CollectiveTuning tuning_;
  bool adaptive_routing_;
};

}  // namespace cs
