#include "sim/network/collectives.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <unordered_set>

#include "sim/network/flow_class.hpp"
#include "sim/network/group_layout.hpp"
#include "sim/network/ring_channels.hpp"
#include "sim/network/sharp_tree.hpp"
#include "sim/network/tree_channels.hpp"

namespace cs {

namespace {

constexpr double kUnlimited = FlowNetwork::kUnlimited;

// Ring reduce-scatter / all-gather / all-reduce: `steps` steps of S/(n C) per channel edge.
// Each channel is one flow class: its edges move in lockstep at the slowest edge's rate.
// `peers`: groups laid out like this one (the nodes of a hierarchical phase) that run the same
// ring at the same time: their channel c joins this group's channel c in one flow class, so
// 2,048 identical node rings cost one flow, with every link they load still counted.
class RingTask final : public CollectiveTask {
 public:
  RingTask(Collectives& owner, std::vector<VertexId> group, double bytes, Callback done, std::size_t steps,
           std::vector<std::vector<VertexId>> peers = {})
      : CollectiveTask(owner, std::move(group), bytes, std::move(done)), steps_(steps), peers_(std::move(peers)) {}

  void start() override {
    const std::size_t n = group_.size();
    if (n < 2 || steps_ == 0) return finish();
    FlowNetwork& net = owner_.network();
    const RingRoutes rings = ring_routes(net.router(), group_, owner_.tuning());
    std::vector<RingRoutes> peer_rings;
    for (const auto& g : peers_) {
      peer_rings.push_back(ring_routes(net.router(), g, owner_.tuning()));
      if (peer_rings.back().channels.size() != rings.channels.size() || peer_rings.back().qps != rings.qps)
        throw std::logic_error("collective: lockstep ring groups are not laid out alike");
    }
    const double channels = static_cast<double>(rings.channels.size());
    const double per_member =
        wire(bytes_ / channels / static_cast<double>(n)) / rings.qps * static_cast<double>(steps_);
    remaining_ = rings.channels.size();
    FlowClassLinks links(net.topology().link_count());
    for (std::size_t c = 0; c < rings.channels.size(); ++c) {
      const auto& channel = rings.channels[c];
      // A chunk travels every edge in turn: each step costs the mean edge latency (route plus
      // protocol hop), as NCCL's model sums intra- and inter-node step latencies.
      links.clear();
      Time edge_sum;
      bool crosses_network = false;
      for (const RouteId id : channel) {
        links.add(net.router().path(id));
        edge_sum += net.router().path(id).latency + hop(id);
        crosses_network = crosses_network ||
                          slowest_hop(net.topology(), net.router().path(id).links) == HopClass::kNetwork;
      }
      for (const RingRoutes& peer : peer_rings)
        for (const RouteId id : peer.channels[c]) links.add(net.router().path(id));
      // ... and, inside a node, waits for each of its slices' flags in turn (ProtocolCost::
      // slices_per_step); across the network the proxy keeps NCCL_STEPS sends in flight per
      // connection and the step pays NCCL's per-step network latency once.
      const double slices = crosses_network ? 1.0 : protocol_cost().slices_per_step;
      const Time latency = Time::from_seconds_ceil(edge_sum.seconds() * static_cast<double>(steps_) * slices /
                                                   static_cast<double>(channel.size()));
      net.start_class(links.links(), per_member, [this] { delivered(); }, latency);
    }
  }

 private:
  void delivered() {
    if (--remaining_ == 0) finish();
  }
  std::size_t steps_;
  std::vector<std::vector<VertexId>> peers_;
  std::size_t remaining_ = 0;
};

// Double binary tree all-reduce, pipelined: chunk c goes up once every child delivered chunk c,
// and down once the parent delivered it (the root turns it around once reduced). The trees are
// over positions (tree_channels.hpp: across nodes, the nodes' tree with each node's chain below
// its head); `lanes` are the vertex lists that run them at once, each carrying `bytes` (half on
// each tree): the channels of one group, and the same-shaped groups of a hierarchical phase. With
// more than one lane, each send is one flow class over the same edge of every lane (lockstep).
class TreeTask final : public CollectiveTask {
 public:
  TreeTask(Collectives& owner, std::vector<std::vector<VertexId>> lanes, std::array<TreeShape, 2> trees, double bytes,
           Callback done)
      : CollectiveTask(owner, lanes.front(), bytes, std::move(done)), lanes_(std::move(lanes)), trees_(std::move(trees)) {}

  void start() override {
    const std::size_t n = group_.size();
    if (n < 2) return finish();
    // NCCL's tree chunks where the tree has chains, as the cost model prices it.
    const bool chained = std::any_of(trees_[0].children.begin(), trees_[0].children.end(),
                                     [](const auto& c) { return c[2] >= 0; });
    chunks_ = static_cast<std::uint32_t>(
        chained ? owner_.cost_model().tree_chunks(bytes_ / 2, std::max(trees_[0].height, trees_[1].height))
                : owner_.cost_model().pipeline_chunks(bytes_ / 2));
    chunk_ = bytes_ / 2 / chunks_;
    remaining_ = 0;
    Router& router = owner_.network().router();
    {
      // With several lanes the flows take their classes' links (build_classes); these routes
      // give the edges' latencies only and must not count as load under adaptive routing.
      std::optional<Router::Trial> latency_only;
      if (lanes_.size() > 1) latency_only.emplace(router);
      route_edges(router);
    }
    if (lanes_.size() > 1) build_classes();
    for (int t = 0; t < 2; ++t)
      for (std::size_t r = 0; r < n; ++r) try_up(t, r);
  }

 private:
  // Each tree's rank states and the routes of its edges (up to the parent, down to the children).
  void route_edges(Router& router) {
    const std::size_t n = group_.size();
    for (int t = 0; t < 2; ++t) {
      state_[t].assign(n, RankState{});
      remaining_ += 2 * (n - 1) * chunks_;
      const std::uint32_t label = owner_.tuning().flow_label;
      for (std::size_t r = 0; r < n; ++r) {
        RankState& s = state_[t][r];
        if (trees_[t].parent[r] >= 0)
          s.up_route = router.route_id(group_[r], group_[static_cast<std::size_t>(trees_[t].parent[r])], label);
        for (int j = 0; j < kChildren; ++j)
          if (trees_[t].children[r][j] >= 0)
            s.down_route[j] =
                router.route_id(group_[r], group_[static_cast<std::size_t>(trees_[t].children[r][j])], label);
      }
      const std::size_t root = static_cast<std::size_t>(trees_[t].root);
      if (leaf(t, root)) state_[t][root].down_have = chunks_;
    }
  }
  static constexpr int kChildren = 3;  // two in the tree between nodes, one down the node's chain
  static constexpr int kUp = 3;        // the tag of a send to the parent
  struct RankState {
    std::uint32_t from_child[kChildren] = {0, 0, 0};  // chunks received from each child
    std::uint32_t up_sent = 0;
    std::uint32_t down_have = 0;  // chunks of the result this rank holds
    std::uint32_t down_sent[kChildren] = {0, 0, 0};
    bool up_busy = false;
    bool down_busy[kChildren] = {false, false, false};
    RouteId up_route = 0;
    RouteId down_route[kChildren] = {0, 0, 0};
  };

  bool leaf(int t, std::size_t r) const {
    return std::all_of(trees_[t].children[r].begin(), trees_[t].children[r].end(), [](std::int32_t c) { return c < 0; });
  }
  std::uint32_t reduced(int t, std::size_t r) const {
    std::uint32_t ready = chunks_;
    for (int j = 0; j < kChildren; ++j)
      if (trees_[t].children[r][j] >= 0) ready = std::min(ready, state_[t][r].from_child[j]);
    return ready;
  }
  void try_up(int t, std::size_t r) {
    RankState& s = state_[t][r];
    const std::int32_t parent = trees_[t].parent[r];
    if (parent < 0 || s.up_busy || s.up_sent >= chunks_ || s.up_sent >= reduced(t, r)) return;
    s.up_busy = true;
    ++s.up_sent;
    send(s.up_route, pack(t, r, kUp));
  }
  void try_down(int t, std::size_t r) {
    for (int j = 0; j < kChildren; ++j) try_down(t, r, j);
  }
  void try_down(int t, std::size_t r, int j) {
    RankState& s = state_[t][r];
    const std::int32_t child = trees_[t].children[r][j];
    if (child < 0 || s.down_busy[j] || s.down_sent[j] >= s.down_have) return;
    s.down_busy[j] = true;
    ++s.down_sent[j];
    send(s.down_route[j], pack(t, r, j));
  }
  static std::uint32_t pack(int t, std::size_t r, int what) {
    return static_cast<std::uint32_t>(r) << 3 | static_cast<std::uint32_t>(t) << 2 | static_cast<std::uint32_t>(what);
  }
  void send(RouteId route, std::uint32_t tag) {
    FlowNetwork& net = owner_.network();
    if (lanes_.size() == 1) {
      net.start_on(
          route, wire(chunk_), [this, tag] { delivered(tag); }, kUnlimited, hop(route));
      return;
    }
    net.start_class(classes_[tag], wire(chunk_), [this, tag] { delivered(tag); }, net.router().path(route).latency + hop(route));
  }
  // The links of every edge's flow class, by the edge's tag: the edge in every lane.
  void build_classes() {
    FlowNetwork& net = owner_.network();
    Router& router = net.router();
    const std::uint32_t label = owner_.tuning().flow_label;
    const std::size_t n = group_.size();
    classes_.assign(static_cast<std::size_t>(pack(1, n - 1, kUp)) + 1, {});
    FlowClassLinks links(net.topology().link_count());
    for (int t = 0; t < 2; ++t)
      for (std::size_t r = 0; r < n; ++r)
        for (int what = 0; what <= kUp; ++what) {
          const std::int32_t other = what == kUp ? trees_[t].parent[r] : trees_[t].children[r][what];
          if (other < 0) continue;
          links.clear();
          for (const auto& g : lanes_)
            links.add(router.path(router.route_id(g[r], g[static_cast<std::size_t>(other)], label)));
          classes_[pack(t, r, what)].assign(links.links().begin(), links.links().end());
        }
  }
  void delivered(std::uint32_t tag) {
    const int t = static_cast<int>(tag >> 2 & 1);
    const std::size_t r = tag >> 3;
    const int what = static_cast<int>(tag & 3);
    RankState& s = state_[t][r];
    if (what == kUp) {
      s.up_busy = false;
      const auto p = static_cast<std::size_t>(trees_[t].parent[r]);
      const auto& siblings = trees_[t].children[p];
      const auto j = std::find(siblings.begin(), siblings.end(), static_cast<std::int32_t>(r)) - siblings.begin();
      ++state_[t][p].from_child[j];
      if (trees_[t].parent[p] < 0) {
        state_[t][p].down_have = reduced(t, p);
        try_down(t, p);
      } else {
        try_up(t, p);
      }
      if (--remaining_ == 0) return finish();
      try_up(t, r);
    } else {  // r -> child `what`
      s.down_busy[what] = false;
      const auto c = static_cast<std::size_t>(trees_[t].children[r][what]);
      ++state_[t][c].down_have;
      if (--remaining_ == 0) return finish();
      try_down(t, c);
      try_down(t, r, what);
    }
  }

  std::vector<std::vector<VertexId>> lanes_;
  std::vector<std::vector<FlowNetwork::ClassLink>> classes_;
  std::array<TreeShape, 2> trees_;
  std::vector<RankState> state_[2];
  std::uint32_t chunks_ = 1;
  double chunk_ = 0;
  std::size_t remaining_ = 0;
};

// NCCL's tree over `groups` (laid out alike: the first stands for all): every channel of every
// group is a lane moving bytes / channels.
std::unique_ptr<CollectiveTask> make_tree(Collectives& owner, const std::vector<std::vector<VertexId>>& groups,
                                          double bytes, Callback done) {
  const TreeChannels tc =
      tree_channels(group_layout(owner.network().topology(), groups.front()), groups.front().size());
  std::vector<std::vector<VertexId>> lanes;
  for (const auto& g : groups)
    for (const auto& order : tc.orders) {
      lanes.emplace_back();
      for (const std::size_t r : order) lanes.back().push_back(g[r]);
    }
  return std::make_unique<TreeTask>(owner, std::move(lanes), tc.trees,
                                    bytes / static_cast<double>(tc.orders.size()), std::move(done));
}

// NVLS: one flow up to the switch and one down per GPU, at the switch's reduction rate.
// With `peers` (identical nodes of a hierarchical phase), all GPUs' up flows form one flow class
// and all down flows another; the switch's reduction rate is then taken as wire bytes / the NVLS
// efficiency instead of a rate cap (the same time on links nothing else uses).
class NvlsTask final : public CollectiveTask {
 public:
  NvlsTask(Collectives& owner, std::vector<VertexId> group, double bytes, Callback done, CollectiveOp op,
           std::vector<std::vector<VertexId>> peers = {})
      : CollectiveTask(owner, std::move(group), bytes, std::move(done)), op_(op), peers_(std::move(peers)) {}

  void start() override {
    const std::size_t n = group_.size();
    if (n < 2) return finish();
    FlowNetwork& net = owner_.network();
    const VertexId sw = group_layout(net.topology(), group_).nvls_switch;
    const double dn = static_cast<double>(n);
    double up = bytes_ * (dn + 1) / dn, down = up;
    if (op_ == CollectiveOp::kReduceScatter) up = bytes_, down = bytes_ / dn;
    if (op_ == CollectiveOp::kAllGather) up = bytes_ / dn, down = bytes_;
    const CollectiveTuning& tuning = owner_.tuning();
    if (!peers_.empty()) return start_classes(sw, up, down);
    remaining_ = 2 * n;
    for (const VertexId g : group_) {
      const RouteId to_switch = net.router().route_id(g, sw, tuning.flow_label);
      const RouteId from_switch = net.router().route_id(sw, g, tuning.flow_label);
      const double cap_up = net.capacity(net.router().path(to_switch).links.front()) * tuning.nvls_efficiency;
      const double cap_down = net.capacity(net.router().path(from_switch).links.back()) * tuning.nvls_efficiency;
      // The switch reduces, then multicasts: two handshakes per chunk instead of one.
      net.start_on(
          to_switch, wire(up), [this] { delivered(); }, cap_up, hop(to_switch) * 2);
      net.start_on(
          from_switch, wire(down), [this] { delivered(); }, cap_down, hop(from_switch) * 2);
    }
  }

 private:
  void start_classes(VertexId sw, double up, double down) {
    FlowNetwork& net = owner_.network();
    const CollectiveTuning& tuning = owner_.tuning();
    FlowClassLinks to_switch(net.topology().link_count()), from_switch(net.topology().link_count());
    Time up_latency, down_latency;
    auto add = [&](const std::vector<VertexId>& group, VertexId s) {
      for (const VertexId g : group) {
        const RouteId u = net.router().route_id(g, s, tuning.flow_label);
        const RouteId d = net.router().route_id(s, g, tuning.flow_label);
        to_switch.add(net.router().path(u));
        from_switch.add(net.router().path(d));
        up_latency = std::max(up_latency, net.router().path(u).latency + hop(u) * 2);
        down_latency = std::max(down_latency, net.router().path(d).latency + hop(d) * 2);
      }
    };
    add(group_, sw);
    for (const auto& g : peers_) add(g, group_layout(net.topology(), g).nvls_switch);
    remaining_ = 2;
    net.start_class(to_switch.links(), wire(up) / tuning.nvls_efficiency, [this] { delivered(); }, up_latency);
    net.start_class(from_switch.links(), wire(down) / tuning.nvls_efficiency, [this] { delivered(); }, down_latency);
  }
  void delivered() {
    if (--remaining_ == 0) finish();
  }
  CollectiveOp op_;
  std::vector<std::vector<VertexId>> peers_;
  std::size_t remaining_ = 0;
};

// In-network reduction (SHARP): each rank streams S once up its aggregation tree while the root
// multicasts the reduced result down (sharp_tree.hpp). Each tree is two flow classes whose links
// are the tree's links, each once (the switches merge the streams), so a link shared by several
// ranks' legs carries S, not S per rank. `peers` (the other local indices of a collnet) run their
// own trees in lockstep in the same two classes; trees that share an aggregation resource take
// turns, as a rate cap of the tree's slowest link / turns.
class SharpTask final : public CollectiveTask {
 public:
  SharpTask(Collectives& owner, std::vector<VertexId> group, double bytes, Callback done,
            std::vector<std::vector<VertexId>> peers = {})
      : CollectiveTask(owner, std::move(group), bytes, std::move(done)), peers_(std::move(peers)) {}

  void start() override {
    if (group_.size() < 2) return finish();
    FlowNetwork& net = owner_.network();
    const CollectiveTuning& tuning = owner_.tuning();
    std::vector<SharpTree> trees;
    trees.push_back(sharp_tree(net.router(), group_, tuning.flow_label).value());
    for (const auto& g : peers_) trees.push_back(sharp_tree(net.router(), g, tuning.flow_label).value());
    const double turns = static_cast<double>(sharp_turns(net.topology(), trees, tuning.sharp));
    FlowClassLinks up(net.topology().link_count()), down(net.topology().link_count());
    Time up_latency, down_latency;
    double slowest = kUnlimited;
    const Time hop = hop_latency(protocol_cost(), HopClass::kNetwork);
    for (const SharpTree& t : trees) {
      up.add(Route{t.up_links, Time{}});
      down.add(Route{t.down_links, Time{}});
      for (const auto* links : {&t.up_links, &t.down_links})
        for (const LinkId l : *links) slowest = std::min(slowest, net.capacity(l));
      up_latency = std::max(up_latency, t.up_latency + hop);
      // The first reduced byte comes down only after the first bytes went up.
      down_latency = std::max(down_latency, t.up_latency + t.down_latency + hop * 2);
    }
    const double cap = turns > 1 ? slowest / turns : kUnlimited;
    remaining_ = 2;
    net.start_class(up.links(), wire(bytes_), [this] { delivered(); }, up_latency, cap);
    net.start_class(down.links(), wire(bytes_), [this] { delivered(); }, down_latency, cap);
  }

 private:
  void delivered() {
    if (--remaining_ == 0) finish();
  }
  std::vector<std::vector<VertexId>> peers_;
  std::size_t remaining_ = 0;
};

// All-to-all (every ordered pair, S/n each) or send/recv (one flow of S).
class DirectTask final : public CollectiveTask {
 public:
  DirectTask(Collectives& owner, std::vector<VertexId> group, double bytes, Callback done, CollectiveOp op)
      : CollectiveTask(owner, std::move(group), bytes, std::move(done)), op_(op) {}

  void start() override {
    const std::size_t n = group_.size();
    FlowNetwork& net = owner_.network();
    const CollectiveTuning& tuning = owner_.tuning();
    if (op_ == CollectiveOp::kSendRecv) {
      remaining_ = 1;
      const RouteId route = net.router().route_id(group_[0], group_[1], tuning.flow_label);
      net.start_on(
          route, wire(bytes_), [this] { delivered(); }, kUnlimited, hop(route));
      return;
    }
    if (n < 2) return finish();
    remaining_ = n * (n - 1);
    const double part = bytes_ / static_cast<double>(n);
    // Rank i starts with i+1, i+2, ... so the first flows do not all converge on rank 0.
    for (std::size_t k = 1; k < n; ++k)
      for (std::size_t i = 0; i < n; ++i) {
        const RouteId route = net.router().route_id(group_[i], group_[(i + k) % n], tuning.flow_label);
        net.start_on(
            route, wire(part), [this] { delivered(); }, kUnlimited, hop(route));
      }
  }

 private:
  void delivered() {
    if (--remaining_ == 0) finish();
  }
  CollectiveOp op_;
  std::size_t remaining_ = 0;
};

// Broadcast down a chain from the root, in chunks.
class PipelineTask final : public CollectiveTask {
 public:
  PipelineTask(Collectives& owner, std::vector<VertexId> group, double bytes, Callback done, int root)
      : CollectiveTask(owner, std::move(group), bytes, std::move(done)) {
    std::rotate(group_.begin(), group_.begin() + root, group_.end());
  }

  void start() override {
    const std::size_t n = group_.size();
    if (n < 2) return finish();
    chunks_ = static_cast<std::uint32_t>(owner_.cost_model().pipeline_chunks(bytes_));
    chunk_ = bytes_ / chunks_;
    have_.assign(n, 0);
    have_[0] = chunks_;
    sent_.assign(n, 0);
    busy_.assign(n, 0);
    remaining_ = (n - 1) * chunks_;
    try_send(0);
  }

 private:
  void try_send(std::size_t i) {
    if (i + 1 >= group_.size() || busy_[i] || sent_[i] >= have_[i]) return;
    busy_[i] = 1;
    ++sent_[i];
    const auto at = static_cast<std::uint32_t>(i);
    const RouteId route = owner_.network().router().route_id(group_[i], group_[i + 1], owner_.tuning().flow_label);
    owner_.network().start_on(
        route, wire(chunk_), [this, at] { delivered(at); }, kUnlimited, hop(route));
  }
  void delivered(std::uint32_t i) {
    busy_[i] = 0;
    ++have_[i + 1];
    if (--remaining_ == 0) return finish();
    try_send(i);
    try_send(i + 1);
  }
  std::uint32_t chunks_ = 1;
  double chunk_ = 0;
  std::vector<std::uint32_t> have_, sent_;
  std::vector<std::uint8_t> busy_;
  std::size_t remaining_ = 0;
};

// Reduce-scatter in every node, all-reduce across nodes per local index, all-gather in every
// node, pipelined in chunks: chunk j enters phase p once chunk j-1 has left it and chunk j has
// finished phase p-1 (so one chunk per phase at a time, as in NCCL's pipelined kernels). As
// `hierarchical`, each phase's sub-collectives pick their own algorithm (ring, tree, NVLS) by
// cost; as `collnet` the middle phase is the switches' in-network reduction; as `nvls_tree`
// (NCCL 2.18+ on NVSwitch systems) the node's phases run on the NVSwitch (NVLS) and the middle
// phase on the tree between nodes.
class HierarchicalTask final : public CollectiveTask {
 public:
  HierarchicalTask(Collectives& owner, std::vector<VertexId> group, double bytes, Callback done,
                   CollectiveAlgorithm kind)
      : CollectiveTask(owner, std::move(group), bytes, std::move(done)), kind_(kind) {}

  void start() override {
    const GroupLayout layout = group_layout(owner_.network().topology(), group_);
    intra_ = intra_node_groups(layout, group_);
    inter_ = inter_node_groups(layout, group_);
    chunks_ = static_cast<std::size_t>(owner_.cost_model().pipeline_chunks(bytes_));
    chunk_ = bytes_ / static_cast<double>(chunks_);
    for (auto& pending : pending_) pending.assign(chunks_, 0);
    if (kind_ == CollectiveAlgorithm::kNvlsTree) {
      // NCCL's tree takes chunk after chunk (a chunk goes up while the one before comes down):
      // as many chunks in the tree at once as a chunk's trip has steps, 2 x depth.
      const TreeChannels tc = tree_channels(group_layout(owner_.network().topology(), inter_.front()),
                                            inter_.front().size());
      window_[1] = static_cast<std::size_t>(2 * std::max(1, tc.tree_depth));
    }
    try_start(0);
  }

 private:
  static constexpr int kPhases = 3;
  void try_start(int p) {
    if (p >= kPhases) return;
    const std::size_t j = started_[p];
    if (j >= chunks_ || j >= finished_[p] + window_[p] || (p > 0 && finished_[p - 1] <= j)) return;
    ++started_[p];
    const CollectiveOp op = p == 0 ? CollectiveOp::kReduceScatter
                                   : (p == 1 ? CollectiveOp::kAllReduce : CollectiveOp::kAllGather);
    const auto& groups = p == 1 ? inter_ : intra_;
    const double bytes = p == 1 ? chunk_ / static_cast<double>(inter_.size()) : chunk_;
    const std::size_t first = children_.size();
    // The groups of a phase are laid out alike (nodes of one template; one rank per node and
    // rail): one sub-collective in lockstep over all of them, one flow class per channel.
    CollectiveAlgorithm a = owner_.cost_model().best_flat(op, groups.front(), bytes);
    if (kind_ == CollectiveAlgorithm::kCollnet && p == 1) a = CollectiveAlgorithm::kCollnet;
    if (kind_ == CollectiveAlgorithm::kNvlsTree) a = p == 1 ? CollectiveAlgorithm::kTree : CollectiveAlgorithm::kNvls;
    const std::vector<std::vector<VertexId>> peers(groups.begin() + 1, groups.end());
    Callback done = [this, p, j] { child_done(p, j); };
    const std::size_t n = groups.front().size();
    if (a == CollectiveAlgorithm::kCollnet) {
      children_.push_back(std::make_unique<SharpTask>(owner_, groups.front(), bytes, std::move(done), peers));
    } else if (a == CollectiveAlgorithm::kRing && n >= 2) {
      const std::size_t steps = op == CollectiveOp::kAllReduce ? 2 * (n - 1) : n - 1;
      children_.push_back(std::make_unique<RingTask>(owner_, groups.front(), bytes, std::move(done), steps, peers));
    } else if (a == CollectiveAlgorithm::kNvls && n >= 2) {
      children_.push_back(std::make_unique<NvlsTask>(owner_, groups.front(), bytes, std::move(done), op, peers));
    } else if (a == CollectiveAlgorithm::kTree && n >= 2) {
      children_.push_back(make_tree(owner_, groups, bytes, std::move(done)));
    }
    if (children_.size() > first) {
      children_.back()->set_protocol(protocol_);
      pending_[p][j] = 1;
    } else {
      pending_[p][j] = groups.size();
      for (const auto& g : groups) {
        const CollectiveAlgorithm ga = owner_.cost_model().best_flat(op, g, bytes);
        children_.push_back(owner_.make_task(op, ga, g, bytes, [this, p, j] { child_done(p, j); }, protocol_));
      }
    }
    // Started after all are built: a child may finish at once (one-rank groups).
    for (std::size_t i = first; i < children_.size(); ++i) children_[i]->start();
  }
  void child_done(int p, std::size_t j) {
    if (--pending_[p][j] > 0) return;
    ++finished_[p];
    if (finished_[kPhases - 1] == chunks_) return finish();
    try_start(p);
    try_start(p + 1);
  }
  CollectiveAlgorithm kind_;  // hierarchical, collnet or nvls_tree
  std::vector<std::vector<VertexId>> intra_, inter_;
  std::vector<std::unique_ptr<CollectiveTask>> children_;
  std::size_t chunks_ = 1;
  double chunk_ = 0;
  std::size_t started_[kPhases] = {0, 0, 0};
  std::size_t finished_[kPhases] = {0, 0, 0};  // chunks done (a phase's chunks finish in order)
  std::size_t window_[kPhases] = {1, 1, 1};    // chunks a phase may hold at once
  std::vector<std::size_t> pending_[kPhases];  // by chunk: sub-collectives still running
};

void validate(const CollectiveRequest& req, const Topology& topo) {
  if (req.group.empty()) throw std::invalid_argument("collective: the group is empty");
  if (!(req.bytes >= 0)) throw std::invalid_argument("collective: bytes must not be negative");
  std::unordered_set<VertexId> seen;
  for (const VertexId v : req.group) {
    if (v >= topo.vertex_count()) throw std::invalid_argument("collective: vertex id out of range");
    if (!seen.insert(v).second)
      throw std::invalid_argument("collective: " + topo.vertex(v).name + " appears twice in the group");
  }
  if (req.op == CollectiveOp::kSendRecv && req.group.size() != 2)
    throw std::invalid_argument("collective: send_recv takes a group of exactly two (sender, receiver)");
  if (req.root < 0 || static_cast<std::size_t>(req.root) >= req.group.size())
    throw std::invalid_argument("collective: root rank out of range");
}

}  // namespace

const ProtocolCost& CollectiveTask::protocol_cost() const { return owner_.tuning().cost(protocol_); }

Time CollectiveTask::hop(RouteId route) const {
  FlowNetwork& net = owner_.network();
  return hop_latency(protocol_cost(), slowest_hop(net.topology(), net.router().path(route).links));
}

double CollectiveTask::wire(double payload) const { return payload / protocol_cost().rate_fraction(); }

Collectives::Collectives(FlowNetwork& network, CollectiveTuning tuning)
    : network_(network), tuning_(std::move(tuning)), cost_(network_, tuning_) {
  if (!(tuning_.nvls_efficiency > 0 && tuning_.nvls_efficiency <= 1))
    throw std::invalid_argument("collective tuning: nvls_efficiency must be in (0, 1]");
  if (!(tuning_.pipeline_chunk_bytes > 0))
    throw std::invalid_argument("collective tuning: chunk size must be positive");
}

Collectives::~Collectives() = default;

CollectiveAlgorithm Collectives::resolve(const CollectiveRequest& req) {
  validate(req, network_.topology());
  if (req.algorithm == CollectiveAlgorithm::kAuto) {
    if (req.group.size() < 2 && req.op != CollectiveOp::kSendRecv)
      return CollectiveCostModel::candidates(req.op).front();
    return cost_.best(req.op, req.group, req.bytes);
  }
  if (!cost_.supports(req.op, req.algorithm, req.group))
    throw std::invalid_argument("collective: algorithm " + std::string(to_string(req.algorithm)) + " cannot run " +
                                std::string(to_string(req.op)) + " on this group of " +
                                std::to_string(req.group.size()));
  return req.algorithm;
}

std::unique_ptr<CollectiveTask> Collectives::make_task(CollectiveOp op, CollectiveAlgorithm a,
                                                       std::vector<VertexId> group, double bytes, Callback done,
                                                       CollectiveProtocol protocol, int root) {
  std::unique_ptr<CollectiveTask> task = make_algorithm_task(op, a, std::move(group), bytes, std::move(done), root);
  task->set_protocol(protocol);
  return task;
}

std::unique_ptr<CollectiveTask> Collectives::make_algorithm_task(CollectiveOp op, CollectiveAlgorithm a,
                                                                 std::vector<VertexId> group, double bytes,
                                                                 Callback done, int root) {
  const std::size_t n = group.size();
  switch (a) {
    case CollectiveAlgorithm::kRing:
      return std::make_unique<RingTask>(*this, std::move(group), bytes, std::move(done),
                                        n < 2 ? 0 : (op == CollectiveOp::kAllReduce ? 2 * (n - 1) : n - 1));
    case CollectiveAlgorithm::kTree: return make_tree(*this, {std::move(group)}, bytes, std::move(done));
    case CollectiveAlgorithm::kNvls:
      return std::make_unique<NvlsTask>(*this, std::move(group), bytes, std::move(done), op);
    case CollectiveAlgorithm::kHierarchical:
    case CollectiveAlgorithm::kNvlsTree:
      return std::make_unique<HierarchicalTask>(*this, std::move(group), bytes, std::move(done), a);
    case CollectiveAlgorithm::kCollnet:
      // One rank per node: the in-network reduction alone, on the whole buffer.
      if (group_layout(network_.topology(), group).per_node() == 1)
        return std::make_unique<SharpTask>(*this, std::move(group), bytes, std::move(done));
      return std::make_unique<HierarchicalTask>(*this, std::move(group), bytes, std::move(done), a);
    case CollectiveAlgorithm::kDirect:
      return std::make_unique<DirectTask>(*this, std::move(group), bytes, std::move(done), op);
    case CollectiveAlgorithm::kPipeline:
      return std::make_unique<PipelineTask>(*this, std::move(group), bytes, std::move(done), root);
    case CollectiveAlgorithm::kAuto:
      break;
  }
  throw std::logic_error("collective: make_task needs a resolved algorithm");
}

CollectiveProtocol Collectives::resolve_protocol(const CollectiveRequest& req, CollectiveAlgorithm algorithm) {
  if (tuning_.protocol != CollectiveProtocol::kAuto) return tuning_.protocol;
  return cost_.best_protocol(req.op, algorithm, req.group, req.bytes);
}

std::uint64_t Collectives::start(const CollectiveRequest& req, Callback done) {
  const CollectiveAlgorithm algorithm = resolve(req);
  const CollectiveProtocol protocol = resolve_protocol(req, algorithm);
  const std::uint32_t slot = slots_.acquire();
  Running& run = slots_[slot];
  run.record = CollectiveRecord{next_id_++, req.op,    algorithm, protocol, req.group.size(), req.bytes,
                                network_.engine().now(), Time{}};
  run.done = std::move(done);
  run.task = make_task(
      req.op, algorithm, req.group, req.bytes, [this, slot] { finished(slot); }, protocol, req.root);
  ++running_;
  CollectiveTask* task = run.task.get();
  const Time start = req.group.size() < 2 ? tuning_.launch_overhead
                                          : tuning_.launch_overhead + tuning_.cost(protocol).base_latency;
  network_.engine().schedule_in(start, [task] { task->start(); });
  return run.record.id;
}

void Collectives::finished(std::uint32_t slot) {
  Running& run = slots_[slot];
  run.record.end = network_.engine().now();
  --running_;
  on_complete.emit(run.record);
  Callback done = std::move(run.done);
  // The task is still on the call stack: free it after this instant's events.
  network_.engine().schedule_in(Time{}, [this, slot] {
    slots_[slot].task.reset();
    slots_.release(slot);
  });
  if (done) done();
}

}  // namespace cs
