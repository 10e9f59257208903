#pragma once
// What a scenario says about the interconnect and the collectives it runs: plain structs the
// scenario loader fills and the simulation builder hands to NetworkWorkload.
#include <string>
#include <variant>
#include <vector>

#include "sim/network/collective_types.hpp"
#include "sim/network/link_efficiency.hpp"
#include "topology/explicit_topology.hpp"
#include "topology/fabric_builder.hpp"

namespace cs {

struct TopologySpec {
  std::variant<ClusterSpec, ExplicitTopologySpec> layout = ClusterSpec{};
  LinkEfficiency efficiency;
};

Topology build_topology(const TopologySpec& spec);
// "4 x dgx_h100, rail_optimized infiniband 50 GB/s" / "explicit: 12 vertices, 20 links".
std::string describe(const TopologySpec& spec);

// A stream of identical collectives, one after another, e.g. a data-parallel gradient
// all-reduce every training step: an instance starts every `every`, or when the previous one
// ends if that is later (a job never overlaps itself).
struct CollectiveJobSpec {
  std::string name;
  CollectiveOp op = CollectiveOp::kAllReduce;
  CollectiveAlgorithm algorithm = CollectiveAlgorithm::kAuto;
  double bytes = 0;
  int gpus = 0;        // the first `gpus` GPUs in topology order; 0: all
  int first_gpu = 0;   // offset of the group in topology order
  int root = 0;
  Time start;
  Time every;          // 0: back to back
  std::int64_t count = 0;  // instances to run; 0: until the horizon
};

struct NetworkSpec {
  TopologySpec topology;
  CollectiveTuning tuning;
  std::vector<CollectiveJobSpec> jobs;
  int timeline_top_links = 8;  // per-link utilization columns for the busiest links
};

}  // namespace cs
