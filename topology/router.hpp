#pragma once
// Shortest-path routing with equal-cost multipath, cached.
//
// Paths minimise the hop count. Where several next hops are equally short:
//   * Ethernet (and everything else) picks one by hashing (src, dst, flow label, vertex), as a
//     switch hashes a packet's 5-tuple: the same flow always takes the same path, flows spread
//     at random, and can collide;
//   * InfiniBand forwards by destination alone (a subnet manager's linear forwarding tables):
//     D-mod-K, as OpenSM's fat-tree routing does: the destination's port number (ports are
//     numbered switch by switch, in cabling order) picks up-link (d / stride) mod k at each
//     level, so every destination owns one path down and permutations do not collide.
// These rules make paths physical and keep routing cheap on 10^4-GPU clusters:
//   * endpoints (GPUs, host memory, storage) never forward: a route starts and ends at one;
//   * servers do not forward for others: a route may only cross vertices of the source's
//     node, the fabric (vertices outside any node), and the destination's node, in that order;
//     traffic between two vertices of one node stays inside that node;
//   * traffic leaves and enters a node where its source and destination are nearest the fabric
//     (a GPU's own NIC, as GPUDirect RDMA and NCCL's NIC affinity do), never through another
//     GPU's NIC and the host CPU, even when a node's NICs sit on different switches.
// Adaptive routing (an option of a fabric: InfiniBand adaptive routing, adaptive Ethernet
// fabrics): with a `LinkLoad`, wherever the fabric offers several equally short next hops a
// route takes, of all the equally short paths to the destination, the one whose most loaded
// link between switches would give the flow the largest share (line rate / (flows on it + 1))
// when it is asked for (the flow's start); the static choice above breaks ties, so wherever
// D-mod-K or the hash already finds an idle path, adaptive routing takes that same path. The best share below each
// fabric vertex is found once per route by a max-min pass over the shortest-path DAG (a few
// hundred vertices on a three-tier fat-tree). Such routes are computed per call, identical
// paths sharing one id.
// Distances to a destination are computed in three pieces: a breadth-first search inside the
// destination's node, a fabric-wide distance field seeded from where that node attaches to the
// fabric, and a relaxation inside the source's node. The fabric field depends only on the
// attachment points, so every GPU behind the same leaf shares one (a cluster of 2,048 nodes
// needs a few hundred fields of a few hundred entries, not 16k searches of the whole graph).
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "topology/topology_graph.hpp"

namespace cs {

using RouteId = std::uint32_t;

struct Route {
  std::span<const LinkId> links;
  Time latency;  // sum of the links' latencies
};

// What adaptive routing reads: the flows on a link now, and an epoch that moves whenever flows
// start or end. Routes handed out within one epoch count as load on their links until it moves
// (a flow class's members are all routed before it starts).
class LinkLoad {
 public:
  virtual std::size_t flows_on(LinkId l) const = 0;
  virtual std::uint64_t load_epoch() const = 0;

 protected:
  ~LinkLoad() = default;
};

class Router {
 public:
  explicit Router(const Topology& topo);
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // The route id of (src, dst, label); computed once, then served from the cache. Throws
  // std::runtime_error when dst cannot be reached. Labels are folded to 20 bits.
  RouteId route_id(VertexId src, VertexId dst, std::uint32_t flow_label = 0);
  Route route(VertexId src, VertexId dst, std::uint32_t flow_label = 0) { return path(route_id(src, dst, flow_label)); }
  // Spans stay valid until the next route_id() call that computes a new path.
  Route path(RouteId id) const {
    const Path& p = paths_[id];
    return {std::span<const LinkId>(links_.data() + p.offset, p.hops), p.latency};
  }
  std::size_t hops(RouteId id) const { return paths_[id].hops; }

  const Topology& topology() const { return topo_; }
  std::size_t cached_routes() const { return paths_.size(); }
  std::size_t cached_fabric_fields() const { return fields_.size(); }
  // Adaptive routing on `load` from now on; nullptr: static routing again.
  void set_adaptive(const LinkLoad* load);
  bool adaptive() const { return load_ != nullptr; }
  // Adaptive choices made so far (routes that had several equally short fabric paths to weigh):
  // a price computed on routes is load-dependent when this moved while it routed.
  std::uint64_t adaptive_choices() const { return choices_; }

  // Routes asked for in a trial (a cost model pricing a collective it may not run, a first
  // look at a ring's links) see each other as load, as the collective's own flows will, but
  // leave no load behind when the trial ends. Trials nest.
  class Trial {
   public:
    explicit Trial(Router& router) : router_(router), mark_(router.begin_trial()) {}
    ~Trial() { router_.undo_pending(mark_); }
    Trial(const Trial&) = delete;
    Trial& operator=(const Trial&) = delete;

   private:
    Router& router_;
    std::size_t mark_;
  };

 private:
  static constexpr std::uint32_t kInf = UINT32_MAX;
  enum Region : std::uint8_t { kSrcRegion = 0, kFabric = 1, kDstRegion = 2, kOutside = 3 };
  struct Path {
    std::uint32_t offset;
    std::uint32_t hops;
    Time latency;
  };

  RouteId compute(VertexId src, VertexId dst, std::uint32_t label);
  RouteId adaptive_route(VertexId src, VertexId dst, std::uint32_t label);
  // The share a new flow would get on l if its load split it evenly (bytes/s); only links
  // between switches count: the links at either end of a route are the same on every path
  // (its NICs), and a loaded NIC would hide which paths between them are free.
  double share_on(LinkId l) const {
    const LinkInfo& info = topo_.link(l);
    if (fabric_index_[info.from] < 0 || fabric_index_[info.to] < 0) return std::numeric_limits<double>::infinity();
    return info.bandwidth_bytes_per_s / static_cast<double>(load_->flows_on(l) + pending_[l] + 1);
  }
  // The next hops from v towards the current destination that keep a route shortest and
  // physical (regions only go src -> fabric -> dst); at most 64.
  int next_hops(VertexId v, LinkId* links, VertexId* targets) const;
  // The static choice among `count` next hops at a vertex outside the fabric: the flow's hash.
  int hashed(VertexId v, std::uint64_t flow, int count) const;
  // Adaptive: the largest bottleneck share of any shortest path from v to the destination.
  double best_share(VertexId v, std::uint64_t flow);
  // Forgets the pending routes of an epoch that has moved; returns where a trial's log starts.
  std::size_t begin_trial();
  void undo_pending(std::size_t mark);
  // Distance of v to the current destination (kInf if not allowed / unreachable).
  std::uint32_t distance(VertexId v) const;
  Region region(VertexId v) const;
  const std::vector<std::uint16_t>& fabric_field(const std::vector<std::pair<std::uint32_t, std::uint32_t>>& seeds,
                                                 std::uint32_t& offset);

  const Topology& topo_;
  // Compressed adjacency (out and in), built once from the Boost graph for tight loops.
  std::vector<std::uint32_t> out_begin_, in_begin_;
  std::vector<LinkId> out_links_, in_links_;
  std::vector<VertexId> out_to_, in_from_;
  std::vector<std::int32_t> node_;
  std::vector<std::uint8_t> terminal_;
  std::vector<std::int32_t> fabric_index_;  // -1 for vertices inside nodes and endpoints
  std::vector<VertexId> fabric_vertices_;
  std::vector<std::uint32_t> node_begin_;  // vertices of node n: node_members_[node_begin_[n] ..]
  std::vector<VertexId> node_members_;
  std::vector<std::uint32_t> port_index_;  // links from the fabric into a node, numbered

  // Per-computation scratch, valid where stamp_ == stamp.
  std::vector<std::uint32_t> stamp_;
  std::vector<std::uint32_t> dist_;
  std::vector<std::uint8_t> region_;
  std::uint32_t stamp_now_ = 0;
  const std::vector<std::uint16_t>* field_ = nullptr;
  std::uint32_t field_offset_ = 0;
  std::int32_t src_node_ = -1, dst_node_ = -1;
  VertexId src_ = kNoVertex, dst_ = kNoVertex;
  std::uint64_t dst_port_ = 0;  // D-mod-K key of the current destination
  std::vector<VertexId> exit_;  // where the current route may leave the source's node
  bool may_exit(VertexId v) const;

  std::unordered_map<std::string, std::uint32_t> field_index_;
  std::vector<std::vector<std::uint16_t>> fields_;
  std::unordered_map<std::uint64_t, RouteId> cache_;
  std::vector<Path> paths_;
  std::vector<LinkId> links_;

  const LinkLoad* load_ = nullptr;
  std::vector<std::uint32_t> pending_;  // by link: adaptive routes handed out this epoch
  std::vector<LinkId> pending_log_;     // every increment of pending_, in order (trials undo theirs)
  std::uint64_t pending_epoch_ = 0;
  std::vector<double> best_;            // by vertex: best_share, valid where best_stamp_ == best_epoch_
  std::vector<std::uint64_t> best_stamp_;
  std::uint64_t best_epoch_ = 0;       // one per adaptive route computed
  std::uint64_t choices_ = 0;
  std::unordered_map<std::string, RouteId> interned_;  // adaptive paths by their links
};

}  // namespace cs
