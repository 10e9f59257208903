#pragma once
// The analytical cost of a collective on the topology as loaded now, for hot paths (a tensor-
// parallel all-reduce per layer, millions of times) and for choosing an algorithm.
//
// An algorithm is a few phases; a phase is a number of steps in which the algorithm's edges
// all carry a chunk at once. A step costs chunk / bandwidth + latency, where
//   bandwidth = min over the phase's links of capacity / (its own edges on the link + flows
//               already on the link)   -- the share max-min fairness would give it;
//   latency   = the longest edge route latency + the per-step overhead.
// Pipelined phases (tree, broadcast chain) take chunks + depth - 1 steps.
// The per-group result (bandwidths, latencies) is cached; an entry is recomputed only when a
// flow started or ended on one of its links since, so an idle or steady network costs one
// hash lookup per call. The flow-level simulation is the reference; tests check agreement.
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/network/collective_types.hpp"
#include "sim/network/flow_network.hpp"

namespace cs {

class CollectiveCostModel {
 public:
  CollectiveCostModel(FlowNetwork& network, const CollectiveTuning& tuning);

  // Whether `algorithm` can run `op` on this group (NVLS needs one reducing NVSwitch,
  // hierarchical needs at least two nodes with the same number of ranks each, ...).
  bool supports(CollectiveOp op, CollectiveAlgorithm algorithm, std::span<const VertexId> group) const;
  // Seconds from the call to the end, launch overhead included.
  double estimate_seconds(CollectiveOp op, CollectiveAlgorithm algorithm, std::span<const VertexId> group,
                          double bytes);
  // The supported algorithm with the smallest estimate (ties: ring, tree, NVLS, hierarchical).
  CollectiveAlgorithm best(CollectiveOp op, std::span<const VertexId> group, double bytes);
  // The algorithms tried for `op`, in order of preference on ties.
  static std::vector<CollectiveAlgorithm> candidates(CollectiveOp op);
  // Chunks a pipelined algorithm cuts `bytes` into.
  int pipeline_chunks(double bytes) const;

  struct Stats {
    std::uint64_t hits = 0;         // served from the cache
    std::uint64_t computed = 0;     // first computations
    std::uint64_t invalidated = 0;  // recomputed because load on their links changed
  };
  const Stats& stats() const { return stats_; }

 private:
  struct Phase {
    double steps = 1;       // fixed phases
    double depth = 0;       // pipelined phases: steps = chunks + depth - 1
    double fraction = 1;    // of the collective's bytes this phase moves per edge (per step if fixed)
    bool pipelined = false;
    double bandwidth = 0;   // bytes/s per edge
    double latency_s = 0;   // per step
  };
  struct Entry {
    std::vector<Phase> phases;
    std::vector<std::pair<LinkId, std::uint64_t>> links;  // what it read, at which version
    std::uint64_t network_version = 0;
  };
  using Edge = std::pair<VertexId, VertexId>;

  const Entry& entry(CollectiveOp op, CollectiveAlgorithm algorithm, std::span<const VertexId> group);
  Entry compute(CollectiveOp op, CollectiveAlgorithm algorithm, std::span<const VertexId> group);
  Phase edge_phase(const std::vector<Edge>& edges, Entry& entry, double rate_fraction, Time extra_latency);
  double phase_seconds(const Phase& p, double bytes) const;
  double flat_seconds(CollectiveOp op, CollectiveAlgorithm algorithm, std::span<const VertexId> group, double bytes);
  double best_flat_seconds(CollectiveOp op, std::span<const VertexId> group, double bytes);

  FlowNetwork& network_;
  const CollectiveTuning& tuning_;
  std::unordered_map<std::string, Entry> cache_;
  std::vector<std::uint32_t> own_;  // by link: the phase's own edges crossing it
  Stats stats_;
};

}  // namespace cs
