#pragma once
// Flow-level network: each transfer is a flow on a routed path, and the flows crossing a link
// share it max-min fairly (progressive filling: raise every flow's rate together, freeze the
// flows of a link when it fills, repeat). A flow's last byte arrives when its bytes have been
// sent at the rates it got, plus the path's latency.
//
// Incremental: starting or ending a flow marks its links; at the end of the instant one
// recomputation covers the connected component of marked links (links joined by flows that
// cross both), because rates outside it cannot change. Only flows whose rate changed have
// their completion event cancelled and rescheduled. Flows that start or end at the same
// instant (the steps of a collective) share one recomputation.
//
// Flow classes: `start_class` runs transfers that advance in lockstep as one flow with one
// rate: the edges of a ring (every step waits for the slowest edge, so all edges move at its
// pace) or the same flow of identical groups. Each of its links carries count x rate, so a
// 1,024-rank ring is one flow crossing ~2,000 links instead of 2 million step flows, with the
// max-min sharing against everything else on those links kept.
//
// Accounting for timelines: every link keeps its current aggregate rate and the bytes it has
// carried, so a sampler can read utilization per link, per link kind, or for the busiest links.
#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/network/link_efficiency.hpp"
#include "topology/router.hpp"

namespace cs {

using FlowId = std::uint32_t;

// A flow as a model holds it across events: its id and the generation of that id's record.
// Ids are recycled as soon as a flow ends, while its delivery callback may still be a route
// latency away, so a bare id kept past the end can name a newer flow. Every operation taking a
// handle checks the generation: on a stale (or null) handle active() is false, rate() and
// remaining() are 0 and stop() does nothing.
struct FlowHandle {
  FlowId id = UINT32_MAX;  // FlowNetwork::kNoFlow: no flow (zero bytes, or none started)
  std::uint32_t generation = 0;
  bool operator==(const FlowHandle&) const = default;
};

struct FlowNetworkStats {
  std::uint64_t flows_started = 0;
  std::uint64_t recomputations = 0;     // end-of-instant rate updates
  std::uint64_t flows_recomputed = 0;   // flows visited by them (component sizes summed)
  std::uint64_t reschedules = 0;        // completion events moved because a rate changed
  std::size_t peak_active_flows = 0;
};

class FlowNetwork final : private LinkLoad {
 public:
  static constexpr std::size_t kMaxHops = 16;
  static constexpr double kUnlimited = std::numeric_limits<double>::infinity();

  FlowNetwork(Engine& engine, Router& router, const LinkEfficiency& efficiency = {});
  ~FlowNetwork();
  FlowNetwork(const FlowNetwork&) = delete;
  FlowNetwork& operator=(const FlowNetwork&) = delete;
  // Adaptive routing (router.hpp) on this network's flows, for as long as it lives.
  void set_adaptive_routing(bool on) { router_.set_adaptive(on ? this : nullptr); }
  bool adaptive_routing() const { return router_.adaptive(); }
  // Another router over the same topology choosing adaptively on this network's flows, for
  // traffic that is routed before it goes on here (a flow class's members, all at once); the
  // network must outlive that router's use of it.
  void lend_load(Router& router) const { router.set_adaptive(this); }

  // Sends `bytes` from src to dst starting now; `delivered` runs when the last byte has arrived.
  // `label` separates flows between the same pair for ECMP; `max_rate` caps the flow (bytes/s);
  // `extra_latency` is added to the path latency (a protocol handshake before the data counts
  // as delivered). Zero bytes are delivered after the latency alone. Returns kNoFlow then.
  FlowId start(VertexId src, VertexId dst, double bytes, Callback delivered, std::uint32_t label = 0,
               double max_rate = kUnlimited, Time extra_latency = Time{});
  FlowId start_on(RouteId route, double bytes, Callback delivered, double max_rate = kUnlimited,
                  Time extra_latency = Time{});
  static constexpr FlowId kNoFlow = UINT32_MAX;
  // A flow class: `bytes` per member; link l of `links` carries `count` members. `delivered`
  // runs once, `latency` after the last byte (the members' path and step latencies).
  struct ClassLink {
    LinkId link;
    std::uint32_t count;
  };
  // `max_rate` caps each member's rate (bytes/s).
  FlowId start_class(std::span<const ClassLink> links, double bytes, Callback delivered, Time latency,
                     double max_rate = kUnlimited);
  // A standing class: traffic that flows for as long as its source keeps it up (a training
  // job's time-average gradient reduction), at most `max_rate` per member, sharing links
  // max-min with everything else; it never completes and ends only by stop().
  FlowId start_standing_class(std::span<const ClassLink> links, double max_rate);
  // Ends an active flow now without delivering it (its bytes so far stay counted on its links).
  void stop(FlowId f);
  // The rates of this instant's starts and stops now rather than at the end of the instant, for
  // a model that must read what max-min grants within the instant (training's pipeline
  // hand-offs, network_speed_model.hpp). Nothing to do when nothing changed.
  void settle();

  bool active(FlowId f) const { return f < flows_.size() && flows_[f].active; }
  // The handle of flow `f` as it is now: take it in the event that started the flow.
  FlowHandle handle(FlowId f) const { return f < flows_.size() ? FlowHandle{f, flows_[f].generation} : FlowHandle{}; }
  bool active(FlowHandle h) const { return active(h.id) && flows_[h.id].generation == h.generation; }
  double rate(FlowHandle h) const { return active(h) ? flows_[h.id].rate : 0; }
  double remaining(FlowHandle h) const { return active(h) ? remaining(h.id) : 0; }
  void stop(FlowHandle h) {
    if (active(h)) stop(h.id);
  }
  double rate(FlowId f) const { return flows_[f].rate; }
  // Bytes an active flow has still to send now (a class: per member); 0 for an inactive one.
  double remaining(FlowId f) const;
  std::size_t active_flows() const { return active_count_; }

  // Links: effective capacity (line rate x efficiency), what crosses them now, what they carried.
  double capacity(LinkId l) const { return links_[l].capacity; }
  double link_rate(LinkId l) const { return links_[l].rate; }
  double link_bytes(LinkId l) const;
  // Members crossing the link now (a flow class counts each of its members there).
  std::size_t link_flow_count(LinkId l) const { return link_members_[l]; }
  // Changes whenever a flow starts or ends on the link: an analytical cost that read the link's
  // load is stale when any of its links' versions moved.
  std::uint64_t link_version(LinkId l) const { return links_[l].version; }
  std::uint64_t version() const { return version_; }
  // Bytes all links of each kind carried so far (index: LinkKind); one pass over the links.
  std::array<double, kLinkKindCount> bytes_by_kind() const;
  double kind_bytes(LinkKind kind) const;
  double kind_capacity(LinkKind kind) const { return kind_capacity_[static_cast<std::size_t>(kind)]; }
  // The k links that carried the most bytes so far (ties: lower id first).
  std::vector<LinkId> busiest_links(std::size_t k) const;

  Engine& engine() { return engine_; }
  Router& router() { return router_; }
  const Topology& topology() const { return router_.topology(); }
  const LinkEfficiency& efficiency() const { return efficiency_; }
  const FlowNetworkStats& stats() const { return stats_; }

 private:
  std::size_t flows_on(LinkId l) const override { return link_members_[l]; }
  std::uint64_t load_epoch() const override { return version_; }
  struct Flow {
    double remaining = 0;  // bytes left to send as of `updated_ns`
    double rate = 0;
    double max_rate = kUnlimited;
    std::int64_t updated_ns = 0;
    EventHandle completion;
    RouteId route = 0;
    std::uint32_t hops = 0;
    std::uint32_t generation = 0;
    bool active = false;
    Time latency;
    Callback delivered;
    std::array<std::uint32_t, kMaxHops> position{};  // index in each hop's link_flows_ list
    // A flow class: its own links, members per link and list positions (route unused).
    bool is_class = false;
    std::vector<LinkId> class_links;
    std::vector<std::uint32_t> class_count, class_position;
  };
  struct Link {
    double capacity = 0;
    double rate = 0;
    double bytes = 0;          // carried up to `updated_ns`
    std::int64_t updated_ns = 0;
    std::uint64_t version = 0;
    LinkKind kind = LinkKind::kNvLink;
  };

  void attach(FlowId f);
  void detach(FlowId f);
  void mark_dirty(LinkId l);
  void request_recompute();
  void recompute();
  void fill_component();
  void complete(FlowId f, std::uint32_t generation);
  void set_link_rate(LinkId l, double rate);
  // A flow record (recycled) with its bytes, cap and clock set; the caller fills the links.
  FlowId new_flow(double bytes, double max_rate);
  // Puts a filled flow record on its links and asks for the instant's recomputation.
  void activate(FlowId f, Time latency, Callback delivered);
  std::span<const LinkId> flow_links(const Flow& f) const {
    return f.is_class ? std::span<const LinkId>(f.class_links) : router_.path(f.route).links;
  }
  static std::uint32_t members(const Flow& f, std::uint32_t hop) { return f.is_class ? f.class_count[hop] : 1; }
  static std::uint32_t& position(Flow& f, std::uint32_t hop) {
    return f.is_class ? f.class_position[hop] : f.position[hop];
  }

  Engine& engine_;
  Router& router_;
  LinkEfficiency efficiency_;
  std::vector<Flow> flows_;
  std::vector<FlowId> free_flows_;
  std::vector<Link> links_;
  struct OnLink {
    FlowId flow;
    std::uint32_t hop;  // which of the flow's links this is: O(1) position updates on detach
  };
  std::vector<std::vector<OnLink>> link_flows_;
  std::vector<std::uint64_t> link_members_;  // by link: members of the flows on it
  std::size_t active_count_ = 0;
  std::uint64_t version_ = 0;
  std::array<double, kLinkKindCount> kind_capacity_{};

  // Recomputation scratch, reused so a steady state allocates nothing.
  std::vector<LinkId> dirty_;
  bool recompute_pending_ = false;
  EventHandle recompute_event_;  // the pending recompute, cancelled when settle() runs it first
  std::uint32_t stamp_ = 0;
  std::vector<std::uint32_t> link_stamp_, flow_stamp_;
  std::vector<LinkId> comp_links_;
  std::vector<FlowId> comp_flows_;
  std::vector<double> new_rate_;       // by flow id
  std::vector<double> residual_;       // by link id
  std::vector<std::uint64_t> unfrozen_;  // by link id: members not yet frozen
  struct HeapEntry {
    double share;
    std::uint32_t id;     // link id, or flow id for a rate cap
    std::uint32_t count;  // UINT32_MAX: a flow's rate cap; otherwise a link's share
  };
  std::vector<HeapEntry> heap_;
  FlowNetworkStats stats_;
};

}  // namespace cs
