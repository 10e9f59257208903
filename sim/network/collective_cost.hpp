#pragma once
// The analytical cost of a collective on the topology as loaded now, for hot paths (a tensor-
// parallel all-reduce per layer, millions of times) and for choosing an algorithm.
//
// An algorithm is a few phases; a phase is a number of steps in which the algorithm's edges
// all carry a chunk at once. With protocol P (LL, LL128, Simple) a step costs
//   chunk / (payload fraction of P x bandwidth) + route latency + hop latency of P,
//   bandwidth = min over the phase's links of capacity / (its own edges on the link + flows
//               already on the link)   -- the share max-min fairness would give it;
//   route latency = the longest edge route's; hop latency = P's for the slowest kind of hop
//               (NVLink, PCIe, network) the phase crosses.
// Pipelined phases (tree, broadcast chain) take chunks + depth - 1 steps. NCCL's tree across
// nodes (tree_channels.hpp) has two kinds of step: the tree between nodes and the chain inside
// each node. A chunk crosses 2 x tree depth tree steps and 2 x (ranks per node - 1) chain steps
// on its way up and back down (NCCL's tuning model: 2 x ((ranks per node - 1) x intra +
// log2(nodes) x inter) latencies), and the others follow one steady step apart:
//   T = (chunks - 1) steady step + 2 depth x tree step + 2 (k - 1) x chain step,
// the steady and tree steps at the edges' share with every edge of the trees loading their
// links (steady: the slower of tree and chain), the first trip's chain steps at the chain
// links' own rate (between chunks a chain edge idles while the network paces the tree). A ring step inside a
// node waits for P's slices' flags one after another (Simple: 2, see ProtocolCost), so its route
// and hop latency count slices_per_step times; across the network, once. A collective adds the launch overhead and P's base latency. Ring phases have one channel per NIC across nodes
// (ring_channels.hpp). Hierarchical all-reduce pipelines its three phases in chunks:
// T = t1 + t2 + t3 + (chunks - 1) x max(d1 + d3, t1, t2, t3) for one chunk's phase times t and
// data times d (t less its step latencies): phases 1 and 3 share the node's links, each taking
// them whole alone, while their latencies overlap; d1 + d3 is taken per link direction (an NVLS
// reduce-scatter loads the way into the switch, its all-gather the way out). nvls_tree's tree
// holds several chunks at once, NCCL-like: t2 is one chunk's trip, paid once, and its term in
// the max is one chunk's data step.
// Collnet is hierarchical with the middle phase in the switches (sharp_tree.hpp): one step of
// S/k per rank at the tree's bandwidth (each tree link shared by the trees crossing it and the
// flows already on it, divided by the turns trees take on a shared aggregation resource), with
// the latency of the way up and back down and two protocol hops (reduce, multicast).
// `auto` (algorithm and protocol) takes the smallest estimate, as NCCL's tuner does with its own
// latency + size / bandwidth model (NCCL src/graph/tuning.cc).
// The per-group result (bandwidths, latencies) is cached; an entry is recomputed only when a
// flow started or ended on one of its links since, so an idle or steady network costs one
// hash lookup per call. The flow-level simulation is the reference; tests check agreement.
#include <array>
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
  // Seconds from the call to the end, launch overhead included, with the tuning's protocol (or
  // the fastest when it is auto).
  double estimate_seconds(CollectiveOp op, CollectiveAlgorithm algorithm, std::span<const VertexId> group,
                          double bytes);
  double estimate_seconds(CollectiveOp op, CollectiveAlgorithm algorithm, std::span<const VertexId> group,
                          double bytes, CollectiveProtocol protocol);
  // The protocol with the smallest estimate (ties: Simple, LL128, LL).
  CollectiveProtocol best_protocol(CollectiveOp op, CollectiveAlgorithm algorithm, std::span<const VertexId> group,
                                   double bytes);
  // The supported algorithm with the smallest estimate (ties: ring, tree, NVLS, hierarchical).
  CollectiveAlgorithm best(CollectiveOp op, std::span<const VertexId> group, double bytes);
  // The fastest one-phase algorithm (not hierarchical, not collnet): what each phase of those
  // runs on its sub-groups.
  CollectiveAlgorithm best_flat(CollectiveOp op, std::span<const VertexId> group, double bytes);
  // The algorithms tried for `op`, in order of preference on ties.
  static std::vector<CollectiveAlgorithm> candidates(CollectiveOp op);
  // Chunks a pipelined algorithm cuts `bytes` into.
  int pipeline_chunks(double bytes) const;
  // Chunks a tree of `depth` edges root to leaf cuts each channel's `bytes` per tree into. NCCL
  // halves the tree's chunk until a channel has at least 8 x depth chunks (not below 128 KiB),
  // 4 x depth (64 KiB), depth (32 KiB) (src/enqueue.cc, tree up/down pattern), so that the
  // pipeline fills over a deep tree; here from pipeline_chunk_bytes, at most max_pipeline_chunks.
  int tree_chunks(double bytes, int depth) const;

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
    double latency_s = 0;   // per step: the longest edge route (ring: the mean, see route_phase)
    std::array<double, 3> hop_share{1, 0, 0};  // weight of each HopClass's protocol hop latency
    double hops_per_step = 1;          // protocol handshakes per step (NVLS: reduce, then multicast)
    bool sliced = false;               // a ring: each step waits for every slice's flag
    // NCCL's tree across nodes: the chain steps inside each node, priced apart (bandwidth of a
    // chain edge on a chunk's first trip, per-step route latency, hop shares) and crossed
    // chain_depth times by a chunk.
    bool tree_chunking = false;  // chunks by tree_chunks (depth + chain_depth) / 2
    // A tree of one rank per node: the share of a lone chunk's edges, whose up steps and then
    // down steps run without the other direction's (nvls_tree's first chunk, see
    // estimate_seconds).
    double trip_bandwidth = 0;
    double chain_depth = 0;
    double chain_bandwidth = 0;
    double chain_latency_s = 0;
    std::array<double, 3> chain_hop_share{1, 0, 0};
  };
  struct Entry {
    std::vector<Phase> phases;
    std::vector<std::pair<LinkId, std::uint64_t>> links;  // what it read, at which version
    std::uint64_t network_version = 0;
    bool load_routed = false;  // its routes made adaptive choices: stale once any flow moves
  };
  using Edge = std::pair<VertexId, VertexId>;

  const Entry& entry(CollectiveOp op, CollectiveAlgorithm algorithm, std::span<const VertexId> group);
  Entry compute(CollectiveOp op, CollectiveAlgorithm algorithm, std::span<const VertexId> group);
  // compute() in a routing trial (router.hpp): priced, not run.
  Entry routed(CollectiveOp op, CollectiveAlgorithm algorithm, std::span<const VertexId> group);
  Phase edge_phase(const std::vector<Edge>& edges, Entry& entry, double rate_fraction);
  // `mean_latency`: a ring's chunk travels every edge in turn, so a step costs the mean edge
  // latency (NCCL's model: intra-node steps x NVLink latency + inter-node steps x network
  // latency); otherwise a step waits for its slowest edge.
  // `sharing`: routes of the same collective that load the links at the same time but whose
  // steps are priced apart (a tree's chain and its edges between nodes).
  Phase route_phase(const std::vector<RouteId>& routes, Entry& entry, double rate_fraction, bool mean_latency = false,
                    const std::vector<RouteId>& sharing = {});
  // NCCL's tree (tree_channels.hpp) on the group.
  Phase tree_phase(std::span<const VertexId> group, Entry& entry);
  // Collnet's in-network phase over the whole group (every local index's tree at once).
  Phase sharp_phase(std::span<const VertexId> group, Entry& entry);
  static bool is_flat(CollectiveAlgorithm a);
  double phase_seconds(const Phase& p, double bytes, CollectiveProtocol protocol) const;
  double flat_seconds(CollectiveOp op, CollectiveAlgorithm algorithm, std::span<const VertexId> group, double bytes,
                      CollectiveProtocol protocol);
  double best_flat_seconds(CollectiveOp op, std::span<const VertexId> group, double bytes,
                           CollectiveProtocol protocol);

  FlowNetwork& network_;
  const CollectiveTuning& tuning_;
  std::unordered_map<std::string, Entry> cache_;
  std::vector<std::uint32_t> own_;  // by link: the phase's own edges crossing it
  Stats stats_;
};

}  // namespace cs
