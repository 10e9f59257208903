#include "sim/network/flow_network.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace cs {

namespace {

// After every model event of the instant (which may start or end more flows), before observers.
constexpr Priority kRecomputePriority = Priority::kSettle;

struct HeapOrder {
  template <typename E>
  bool operator()(const E& a, const E& b) const {
    return a.share > b.share || (a.share == b.share && a.id > b.id);
  }
};

}  // namespace

FlowNetwork::~FlowNetwork() {
  if (router_.adaptive()) router_.set_adaptive(nullptr);  // the router may outlive this network
}

FlowNetwork::FlowNetwork(Engine& engine, Router& router, const LinkEfficiency& efficiency)
    : engine_(engine), router_(router), efficiency_(efficiency) {
  efficiency_.validate();
  const Topology& t = router.topology();
  links_.resize(t.link_count());
  link_flows_.resize(t.link_count());
  link_members_.assign(t.link_count(), 0);
  link_stamp_.assign(t.link_count(), 0);
  residual_.assign(t.link_count(), 0);
  unfrozen_.assign(t.link_count(), 0);
  for (std::size_t l = 0; l < t.link_count(); ++l) {
    const LinkInfo& info = t.link(static_cast<LinkId>(l));
    links_[l].kind = info.kind;
    links_[l].capacity = info.bandwidth_bytes_per_s * efficiency_.fraction(info.kind);
    kind_capacity_[static_cast<std::size_t>(info.kind)] += links_[l].capacity;
  }
}

FlowId FlowNetwork::start(VertexId src, VertexId dst, double bytes, Callback delivered, std::uint32_t label,
                          double max_rate, Time extra_latency) {
  return start_on(router_.route_id(src, dst, label), bytes, std::move(delivered), max_rate, extra_latency);
}

FlowId FlowNetwork::start_on(RouteId route, double bytes, Callback delivered, double max_rate, Time extra_latency) {
  const Route r = router_.path(route);
  if (r.links.size() > kMaxHops) throw std::runtime_error("flow network: route longer than 16 hops");
  if (!(max_rate > 0)) throw std::invalid_argument("flow network: a flow's rate cap must be positive");
  if (!(bytes > 0)) {
    engine_.schedule_in(r.latency + extra_latency, std::move(delivered));
    return kNoFlow;
  }
  const FlowId f = new_flow(bytes, max_rate);
  Flow& fl = flows_[f];
  fl.route = route;
  fl.hops = static_cast<std::uint32_t>(r.links.size());
  fl.is_class = false;
  activate(f, r.latency + extra_latency, std::move(delivered));
  return f;
}

FlowId FlowNetwork::new_flow(double bytes, double max_rate) {
  FlowId f;
  if (free_flows_.empty()) {
    flows_.emplace_back();
    flow_stamp_.push_back(0);
    new_rate_.push_back(0);
    f = static_cast<FlowId>(flows_.size() - 1);
  } else {
    f = free_flows_.back();
    free_flows_.pop_back();
  }
  Flow& fl = flows_[f];
  fl.remaining = bytes;
  fl.rate = 0;
  fl.max_rate = max_rate;
  fl.updated_ns = engine_.now().count_ns();
  fl.completion = EventHandle{};
  return f;
}

void FlowNetwork::activate(FlowId f, Time latency, Callback delivered) {
  Flow& fl = flows_[f];
  fl.active = true;
  fl.latency = latency;
  fl.delivered = std::move(delivered);
  attach(f);
  ++active_count_;
  ++stats_.flows_started;
  stats_.peak_active_flows = std::max(stats_.peak_active_flows, active_count_);
  request_recompute();
}

FlowId FlowNetwork::start_class(std::span<const ClassLink> links, double bytes, Callback delivered, Time latency,
                                double max_rate) {
  if (!(max_rate > 0)) throw std::invalid_argument("flow network: a flow's rate cap must be positive");
  if (links.empty() || !(bytes > 0)) {
    if (std::isinf(bytes)) return kNoFlow;  // a standing class over no links carries nothing
    engine_.schedule_in(latency, std::move(delivered));
    return kNoFlow;
  }
  const FlowId f = new_flow(bytes, max_rate);
  Flow& fl = flows_[f];
  fl.is_class = true;
  fl.class_links.clear();
  fl.class_count.clear();
  for (const ClassLink& c : links) {
    if (c.count == 0) continue;
    fl.class_links.push_back(c.link);
    fl.class_count.push_back(c.count);
  }
  fl.class_position.assign(fl.class_links.size(), 0);
  fl.hops = static_cast<std::uint32_t>(fl.class_links.size());
  activate(f, latency, std::move(delivered));
  return f;
}

FlowId FlowNetwork::start_standing_class(std::span<const ClassLink> links, double max_rate) {
  if (!(max_rate < kUnlimited)) throw std::invalid_argument("flow network: a standing class needs a finite rate cap");
  return start_class(links, std::numeric_limits<double>::infinity(), Callback{}, Time{}, max_rate);
}

double FlowNetwork::remaining(FlowId f) const {
  if (!active(f)) return 0;
  const Flow& fl = flows_[f];
  const double elapsed_s = static_cast<double>(engine_.now().count_ns() - fl.updated_ns) * 1e-9;
  return std::max(0.0, fl.remaining - fl.rate * elapsed_s);
}

void FlowNetwork::stop(FlowId f) {
  if (!active(f)) return;
  Flow& fl = flows_[f];
  if (fl.completion.valid()) engine_.cancel(fl.completion);
  detach(f);
  fl.active = false;
  fl.remaining = 0;
  fl.delivered = Callback{};
  ++fl.generation;
  --active_count_;
  free_flows_.push_back(f);
  request_recompute();
}

void FlowNetwork::attach(FlowId f) {
  Flow& fl = flows_[f];
  const auto links = flow_links(fl);
  for (std::uint32_t h = 0; h < fl.hops; ++h) {
    auto& list = link_flows_[links[h]];
    position(fl, h) = static_cast<std::uint32_t>(list.size());
    list.push_back({f, h});
    link_members_[links[h]] += members(fl, h);
    ++links_[links[h]].version;
    mark_dirty(links[h]);
  }
  ++version_;
}

void FlowNetwork::detach(FlowId f) {
  Flow& fl = flows_[f];
  const auto links = flow_links(fl);
  for (std::uint32_t h = 0; h < fl.hops; ++h) {
    const LinkId l = links[h];
    auto& list = link_flows_[l];
    const std::uint32_t pos = position(fl, h);
    link_members_[l] -= members(fl, h);
    const OnLink moved = list.back();
    list[pos] = moved;
    list.pop_back();
    if (moved.flow != f) position(flows_[moved.flow], moved.hop) = pos;
    ++links_[l].version;
    mark_dirty(l);
  }
  ++version_;
}

void FlowNetwork::mark_dirty(LinkId l) { dirty_.push_back(l); }

void FlowNetwork::request_recompute() {
  if (recompute_pending_) return;
  recompute_pending_ = true;
  recompute_event_ = engine_.schedule_at(engine_.now(), [this] { recompute(); }, kRecomputePriority);
}

void FlowNetwork::settle() {
  if (!recompute_pending_) return;
  engine_.cancel(recompute_event_);  // done now: no empty event later in the instant
  recompute();
}

void FlowNetwork::complete(FlowId f, std::uint32_t generation) {
  Flow& fl = flows_[f];
  if (!fl.active || fl.generation != generation) return;
  detach(f);
  fl.active = false;
  fl.remaining = 0;
  ++fl.generation;
  --active_count_;
  Callback delivered = std::move(fl.delivered);
  const Time latency = fl.latency;
  free_flows_.push_back(f);
  request_recompute();
  if (latency > Time{})
    engine_.schedule_in(latency, std::move(delivered));
  else if (delivered)
    delivered();
}

void FlowNetwork::recompute() {
  recompute_pending_ = false;
  stamp_ += 2;  // stamp_: in this component; stamp_ + 1: flow frozen by the filling
  comp_links_.clear();
  comp_flows_.clear();
  for (const LinkId l : dirty_)
    if (link_stamp_[l] != stamp_) {
      link_stamp_[l] = stamp_;
      comp_links_.push_back(l);
    }
  dirty_.clear();
  for (std::size_t i = 0; i < comp_links_.size(); ++i)
    for (const auto [f, hop] : link_flows_[comp_links_[i]]) {
      if (flow_stamp_[f] == stamp_) continue;
      flow_stamp_[f] = stamp_;
      comp_flows_.push_back(f);
      for (const LinkId l2 : flow_links(flows_[f]))
        if (link_stamp_[l2] != stamp_) {
          link_stamp_[l2] = stamp_;
          comp_links_.push_back(l2);
        }
    }
  ++stats_.recomputations;
  stats_.flows_recomputed += comp_flows_.size();

  fill_component();

  const std::int64_t now = engine_.now().count_ns();
  for (const FlowId f : comp_flows_) {
    Flow& fl = flows_[f];
    const double r = new_rate_[f];
    if (fl.rate > 0 && std::abs(r - fl.rate) <= 1e-12 * fl.rate) continue;
    fl.remaining = std::max(0.0, fl.remaining - fl.rate * static_cast<double>(now - fl.updated_ns) * 1e-9);
    fl.updated_ns = now;
    fl.rate = r;
    if (fl.completion.valid() && engine_.cancel(fl.completion)) ++stats_.reschedules;
    if (std::isinf(fl.remaining)) continue;  // standing: ends by stop(), never by its bytes
    const Time left = fl.remaining > 0 ? Time::from_seconds_ceil(fl.remaining / r) : Time{};
    fl.completion = engine_.schedule_in(left, [this, f, g = fl.generation] { complete(f, g); });
  }
  for (const LinkId l : comp_links_) {
    double sum = 0;
    for (const auto [f, hop] : link_flows_[l]) sum += flows_[f].rate * members(flows_[f], hop);
    set_link_rate(l, sum);
  }
}

void FlowNetwork::fill_component() {
  if (comp_flows_.size() == 1) {
    const FlowId f = comp_flows_.front();
    const Flow& fl = flows_[f];
    double r = fl.max_rate;
    const auto links = flow_links(fl);
    for (std::uint32_t h = 0; h < fl.hops; ++h) r = std::min(r, links_[links[h]].capacity / members(fl, h));
    new_rate_[f] = r;
    return;
  }
  // Progressive filling with a lazy min-heap of link fair shares (residual / unfrozen flows).
  // Freezing flows only ever raises the other links' shares (the frozen rate is at most their
  // share), so an entry popped with a share below the link's current one is re-queued with
  // the current value instead of being updated on every freeze.
  heap_.clear();
  for (const LinkId l : comp_links_) {
    residual_[l] = links_[l].capacity;
    unfrozen_[l] = link_members_[l];
    if (unfrozen_[l] > 0) heap_.push_back({residual_[l] / static_cast<double>(unfrozen_[l]), l, 0});
  }
  for (const FlowId f : comp_flows_)
    if (flows_[f].max_rate < kUnlimited) heap_.push_back({flows_[f].max_rate, f, UINT32_MAX});
  std::make_heap(heap_.begin(), heap_.end(), HeapOrder{});

  const std::uint32_t frozen = stamp_ + 1;
  std::size_t left = comp_flows_.size();
  auto freeze = [&](FlowId f, double share) {
    flow_stamp_[f] = frozen;
    new_rate_[f] = share;
    --left;
    const Flow& fl = flows_[f];
    const auto links = flow_links(fl);
    for (std::uint32_t h = 0; h < fl.hops; ++h) {
      const std::uint32_t m = members(fl, h);
      residual_[links[h]] -= share * m;
      unfrozen_[links[h]] -= m;
    }
  };
  while (left > 0 && !heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end(), HeapOrder{});
    const HeapEntry e = heap_.back();
    heap_.pop_back();
    if (e.count == UINT32_MAX) {
      if (flow_stamp_[e.id] != frozen) freeze(e.id, e.share);
      continue;
    }
    const LinkId l = e.id;
    if (unfrozen_[l] == 0) continue;
    // A link already full by rounding still gives its last flows a sliver, never zero.
    const double share = std::max(residual_[l], links_[l].capacity * 1e-9) / static_cast<double>(unfrozen_[l]);
    if (share > e.share * (1 + 1e-12)) {
      heap_.push_back({share, l, 0});
      std::push_heap(heap_.begin(), heap_.end(), HeapOrder{});
      continue;
    }
    for (const auto [f, hop] : link_flows_[l])
      if (flow_stamp_[f] != frozen) freeze(f, share);
  }
}

void FlowNetwork::set_link_rate(LinkId l, double rate) {
  Link& k = links_[l];
  const std::int64_t now = engine_.now().count_ns();
  if (rate == k.rate) return;
  k.bytes += k.rate * static_cast<double>(now - k.updated_ns) * 1e-9;
  k.updated_ns = now;
  k.rate = rate;
}

double FlowNetwork::link_bytes(LinkId l) const {
  const Link& k = links_[l];
  return k.bytes + k.rate * static_cast<double>(engine_.now().count_ns() - k.updated_ns) * 1e-9;
}

// Per kind, summed from the links each time rather than kept as running totals: a running
// total of rate changes drifts by rounding (and needed clamping at zero), a sum of the links
// is exactly what they carried.
std::array<double, kLinkKindCount> FlowNetwork::bytes_by_kind() const {
  std::array<double, kLinkKindCount> out{};
  for (std::size_t l = 0; l < links_.size(); ++l)
    out[static_cast<std::size_t>(links_[l].kind)] += link_bytes(static_cast<LinkId>(l));
  return out;
}

double FlowNetwork::kind_bytes(LinkKind kind) const {
  return bytes_by_kind()[static_cast<std::size_t>(kind)];
}

std::vector<LinkId> FlowNetwork::busiest_links(std::size_t k) const {
  std::vector<std::pair<double, LinkId>> all;
  all.reserve(links_.size());
  for (std::size_t l = 0; l < links_.size(); ++l) {
    const double b = link_bytes(static_cast<LinkId>(l));
    if (b > 0) all.emplace_back(-b, static_cast<LinkId>(l));
  }
  k = std::min(k, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k), all.end());
  std::vector<LinkId> out;
  for (std::size_t i = 0; i < k; ++i) out.push_back(all[i].second);
  return out;
}

}  // namespace cs
