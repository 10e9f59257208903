#include "sim/network/collective_cost.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "sim/network/group_layout.hpp"
#include "sim/network/ring_channels.hpp"
#include "sim/network/sharp_tree.hpp"
#include "sim/network/tree_channels.hpp"

namespace cs {

CollectiveCostModel::CollectiveCostModel(FlowNetwork& network, const CollectiveTuning& tuning)
    : network_(network), tuning_(tuning), own_(network.topology().link_count(), 0) {}

std::vector<CollectiveAlgorithm> CollectiveCostModel::candidates(CollectiveOp op) {
  switch (op) {
    case CollectiveOp::kAllReduce:
      return {CollectiveAlgorithm::kRing,         CollectiveAlgorithm::kTree,    CollectiveAlgorithm::kNvls,
              CollectiveAlgorithm::kHierarchical, CollectiveAlgorithm::kCollnet, CollectiveAlgorithm::kNvlsTree};
    case CollectiveOp::kAllGather:
    case CollectiveOp::kReduceScatter: return {CollectiveAlgorithm::kRing, CollectiveAlgorithm::kNvls};
    case CollectiveOp::kAllToAll:
    case CollectiveOp::kSendRecv: return {CollectiveAlgorithm::kDirect};
    case CollectiveOp::kBroadcast: return {CollectiveAlgorithm::kPipeline};
  }
  return {};
}

bool CollectiveCostModel::supports(CollectiveOp op, CollectiveAlgorithm a, std::span<const VertexId> group) const {
  const std::size_t n = group.size();
  if (op == CollectiveOp::kSendRecv) return a == CollectiveAlgorithm::kDirect && n == 2;
  if (n < 2) return a != CollectiveAlgorithm::kAuto;  // nothing to move: any algorithm is a no-op
  switch (a) {
    case CollectiveAlgorithm::kAuto: return false;
    case CollectiveAlgorithm::kRing:
      return op == CollectiveOp::kAllReduce || op == CollectiveOp::kAllGather || op == CollectiveOp::kReduceScatter;
    case CollectiveAlgorithm::kTree: return op == CollectiveOp::kAllReduce;
    case CollectiveAlgorithm::kNvls:
      return (op == CollectiveOp::kAllReduce || op == CollectiveOp::kAllGather || op == CollectiveOp::kReduceScatter) &&
             group_layout(network_.topology(), group).nvls_switch != kNoVertex;
    case CollectiveAlgorithm::kHierarchical: {
      if (op != CollectiveOp::kAllReduce) return false;
      const GroupLayout layout = group_layout(network_.topology(), group);
      return layout.uniform && layout.by_node.size() >= 2 && layout.per_node() >= 2;
    }
    case CollectiveAlgorithm::kNvlsTree: {
      // NVLS inside each node (nodes are alike: the first stands for all), the tree across them.
      if (op != CollectiveOp::kAllReduce) return false;
      const GroupLayout layout = group_layout(network_.topology(), group);
      if (!layout.uniform || layout.by_node.size() < 2 || layout.per_node() < 2) return false;
      return group_layout(network_.topology(), intra_node_groups(layout, group).front()).nvls_switch != kNoVertex;
    }
    case CollectiveAlgorithm::kDirect: return op == CollectiveOp::kAllToAll;
    case CollectiveAlgorithm::kPipeline: return op == CollectiveOp::kBroadcast;
    case CollectiveAlgorithm::kCollnet: {
      if (op != CollectiveOp::kAllReduce || tuning_.sharp == SharpGeneration::kNone) return false;
      const GroupLayout layout = group_layout(network_.topology(), group);
      if (!layout.uniform || layout.by_node.size() < 2) return false;
      // One rank of each node (the first local index) stands for all: nodes are alike.
      const Router::Trial trial(network_.router());
      return sharp_tree(network_.router(), inter_node_groups(layout, group).front(), tuning_.flow_label).has_value();
    }
  }
  return false;
}

int CollectiveCostModel::pipeline_chunks(double bytes) const {
  const double c = std::ceil(bytes / tuning_.pipeline_chunk_bytes);
  return static_cast<int>(std::clamp(c, 1.0, static_cast<double>(std::max(1, tuning_.max_pipeline_chunks))));
}

int CollectiveCostModel::tree_chunks(double bytes, int depth) const {
  const double d = std::max(1, depth);
  double chunk = tuning_.pipeline_chunk_bytes;
  for (const auto& [per_depth, smallest] : {std::pair{8.0, 131072.0}, std::pair{4.0, 65536.0}, std::pair{1.0, 32768.0}})
    while (bytes / chunk < per_depth * d && chunk > smallest) chunk /= 2;
  const double c = std::ceil(bytes / chunk);
  return static_cast<int>(std::clamp(c, 1.0, static_cast<double>(std::max(1, tuning_.max_pipeline_chunks))));
}

CollectiveCostModel::Phase CollectiveCostModel::edge_phase(const std::vector<Edge>& edges, Entry& entry,
                                                           double rate_fraction) {
  Router& router = network_.router();
  std::vector<RouteId> routes;
  routes.reserve(edges.size());
  for (const auto& [s, d] : edges) routes.push_back(router.route_id(s, d, tuning_.flow_label));
  return route_phase(routes, entry, rate_fraction);
}

CollectiveCostModel::Phase CollectiveCostModel::route_phase(const std::vector<RouteId>& routes, Entry& entry,
                                                            double rate_fraction, bool mean_latency,
                                                            const std::vector<RouteId>& sharing) {
  Router& router = network_.router();
  for (const auto* set : {&routes, &sharing})
    for (const RouteId id : *set)
      for (const LinkId l : router.path(id).links)
        if (own_[l]++ == 0) entry.links.emplace_back(l, network_.link_version(l));
  Phase p;
  p.bandwidth = std::numeric_limits<double>::infinity();
  Time latency, latency_sum;
  HopClass slowest = HopClass::kNvLink;
  std::array<double, 3> count{0, 0, 0};
  for (const RouteId id : routes) {
    const Route r = router.path(id);
    latency = std::max(latency, r.latency);
    latency_sum += r.latency;
    const HopClass c = slowest_hop(network_.topology(), r.links);
    slowest = std::max(slowest, c);
    count[static_cast<std::size_t>(c)] += 1;
  }
  p.hop_share = {0, 0, 0};
  if (mean_latency && !routes.empty()) {
    for (std::size_t c = 0; c < 3; ++c) p.hop_share[c] = count[c] / static_cast<double>(routes.size());
  } else {
    p.hop_share[static_cast<std::size_t>(slowest)] = 1;
  }
  // Each link once (own_ is cleared on the first visit): a 100k-rank ring is not quadratic.
  for (const RouteId id : routes)
    for (const LinkId l : router.path(id).links) {
      if (own_[l] == 0) continue;
      const double cap = network_.capacity(l);
      p.bandwidth = std::min(p.bandwidth, std::min(cap * rate_fraction,
                                                   cap / static_cast<double>(own_[l] + network_.link_flow_count(l))));
      own_[l] = 0;
    }
  for (const RouteId id : sharing)
    for (const LinkId l : router.path(id).links) own_[l] = 0;
  p.latency_s = mean_latency && !routes.empty() ? latency_sum.seconds() / static_cast<double>(routes.size())
                                                : latency.seconds();
  return p;
}

CollectiveCostModel::Phase CollectiveCostModel::tree_phase(std::span<const VertexId> group, Entry& entry) {
  const TreeChannels tc = tree_channels(group_layout(network_.topology(), group), group.size());
  Router& router = network_.router();
  std::vector<RouteId> between, chain;  // both directions of every edge of every channel's trees
  std::vector<RouteId> up, down;        // the edges between nodes by direction
  for (const auto& order : tc.orders)
    for (const TreeShape& tree : tc.trees)
      for (std::size_t pos = 0; pos < order.size(); ++pos) {
        if (tree.parent[pos] < 0) continue;
        const VertexId a = group[order[pos]], b = group[order[static_cast<std::size_t>(tree.parent[pos])]];
        auto& into = tc.chain_edge(pos) ? chain : between;
        into.push_back(router.route_id(a, b, tuning_.flow_label));
        into.push_back(router.route_id(b, a, tuning_.flow_label));
        if (!tc.chain_edge(pos)) {
          up.push_back(into[into.size() - 2]);
          down.push_back(into.back());
        }
      }
  Phase p = route_phase(between, entry, 1.0, false, chain);
  if (chain.empty())
    p.trip_bandwidth = std::min(route_phase(up, entry, 1.0).bandwidth, route_phase(down, entry, 1.0).bandwidth);
  p.pipelined = true;
  // NCCL's chunk rule where the tree has chains (a group of several ranks a node); a tree of one
  // rank per node (a hierarchical phase, a DP group) keeps the pipeline chunks, which bounds the
  // flows of 2,048-node trees inside a hierarchical all-reduce.
  p.tree_chunking = !chain.empty();
  p.depth = 2.0 * tc.tree_depth;
  p.fraction = 0.5 / static_cast<double>(tc.orders.size());  // each tree of each channel
  if (!chain.empty()) {
    const Phase c = route_phase(chain, entry, 1.0, false, between);
    // In steady state the pipeline advances one chunk per slower step: both kinds of edge load
    // their links at once (each at its share with every edge of the trees).
    p.bandwidth = std::min(p.bandwidth, c.bandwidth);
    // A chunk's first trip down the chain runs near the chain links' own rate: where the tree
    // between nodes paces the pipeline, a chain edge moves its chunk and idles until the next,
    // so few chain edges share a link at any moment (the flows show it). Its share with the
    // flows already on the link.
    double alone = std::numeric_limits<double>::infinity();
    for (const RouteId id : chain)
      for (const LinkId l : router.path(id).links)
        alone = std::min(alone, network_.capacity(l) / static_cast<double>(1 + network_.link_flow_count(l)));
    p.chain_depth = 2.0 * tc.chain_depth;
    p.chain_bandwidth = alone;
    p.chain_latency_s = c.latency_s;
    p.chain_hop_share = c.hop_share;
  }
  return p;
}

CollectiveCostModel::Phase CollectiveCostModel::sharp_phase(std::span<const VertexId> group, Entry& entry) {
  // The in-network part of collnet: every local index's ranks (one per node) reduce their share
  // S/k on their own aggregation tree, all k trees at once. A tree link carries the data once
  // per direction; trees sharing a link split it, and trees sharing an aggregation resource
  // take turns (sharp_turns).
  const GroupLayout layout = group_layout(network_.topology(), group);
  const auto inter = inter_node_groups(layout, group);
  std::vector<SharpTree> trees;
  for (const auto& g : inter) trees.push_back(sharp_tree(network_.router(), g, tuning_.flow_label).value());
  for (const SharpTree& t : trees)
    for (const auto* links : {&t.up_links, &t.down_links})
      for (const LinkId l : *links)
        if (own_[l]++ == 0) entry.links.emplace_back(l, network_.link_version(l));
  Phase p;
  p.bandwidth = std::numeric_limits<double>::infinity();
  for (const SharpTree& t : trees) {
    for (const auto* links : {&t.up_links, &t.down_links})
      for (const LinkId l : *links)
        if (own_[l] > 0) {
          const double cap = network_.capacity(l);
          p.bandwidth = std::min(p.bandwidth, cap / static_cast<double>(own_[l] + network_.link_flow_count(l)));
          own_[l] = 0;
        }
    // Up, reduce at the root, multicast down: the first byte back pays both legs.
    p.latency_s = std::max(p.latency_s, (t.up_latency + t.down_latency).seconds());
  }
  p.bandwidth /= static_cast<double>(sharp_turns(network_.topology(), trees, tuning_.sharp));
  p.hop_share = {0, 0, 1};
  p.hops_per_step = 2;  // reduce, then multicast, as NVLS
  p.fraction = 1 / static_cast<double>(inter.size());
  return p;
}

CollectiveCostModel::Entry CollectiveCostModel::compute(CollectiveOp op, CollectiveAlgorithm a,
                                                        std::span<const VertexId> group) {
  Entry e;
  e.network_version = network_.version();
  const std::size_t n = group.size();
  const double dn = static_cast<double>(n);
  std::vector<Edge> edges;
  switch (a) {
    case CollectiveAlgorithm::kRing: {
      const RingRoutes rings = ring_routes(network_.router(), group, tuning_);
      std::vector<RouteId> routes;
      for (const auto& channel : rings.channels) routes.insert(routes.end(), channel.begin(), channel.end());
      Phase p = route_phase(routes, e, 1.0, /*mean_latency=*/true);
      p.sliced = true;
      p.steps = op == CollectiveOp::kAllReduce ? 2 * (dn - 1) : dn - 1;
      p.fraction = 1 / (dn * static_cast<double>(rings.channels.size()) * rings.qps);
      e.phases.push_back(p);
      break;
    }
    case CollectiveAlgorithm::kTree: e.phases.push_back(tree_phase(group, e)); break;
    case CollectiveAlgorithm::kNvls: {
      const VertexId sw = group_layout(network_.topology(), group).nvls_switch;
      for (const VertexId g : group) {
        edges.emplace_back(g, sw);
        edges.emplace_back(sw, g);
      }
      Phase p = edge_phase(edges, e, tuning_.nvls_efficiency);
      p.hops_per_step = 2;
      // Per GPU and direction: all_reduce S(n+1)/n; reduce_scatter and all_gather S (the larger side).
      p.fraction = op == CollectiveOp::kAllReduce ? (dn + 1) / dn : 1.0;
      e.phases.push_back(p);
      break;
    }
    case CollectiveAlgorithm::kDirect: {
      if (op == CollectiveOp::kSendRecv) {
        edges.emplace_back(group[0], group[1]);
      } else {
        for (std::size_t i = 0; i < n; ++i)
          for (std::size_t j = 0; j < n; ++j)
            if (i != j) edges.emplace_back(group[i], group[j]);
      }
      Phase p = edge_phase(edges, e, 1.0);
      p.fraction = op == CollectiveOp::kSendRecv ? 1.0 : 1 / dn;
      e.phases.push_back(p);
      break;
    }
    case CollectiveAlgorithm::kPipeline: {
      for (std::size_t i = 0; i + 1 < n; ++i) edges.emplace_back(group[i], group[i + 1]);
      Phase p = edge_phase(edges, e, 1.0);
      p.pipelined = true;
      p.depth = dn - 1;
      e.phases.push_back(p);
      break;
    }
    case CollectiveAlgorithm::kCollnet: e.phases.push_back(sharp_phase(group, e)); break;
    case CollectiveAlgorithm::kAuto:
    case CollectiveAlgorithm::kHierarchical:
    case CollectiveAlgorithm::kNvlsTree: throw std::logic_error("cost model: not a flat algorithm");
  }
  return e;
}

CollectiveCostModel::Entry CollectiveCostModel::routed(CollectiveOp op, CollectiveAlgorithm a,
                                                       std::span<const VertexId> group) {
  // Under adaptive routing the collective's routes see each other as load, as its flows will
  // when it starts, and leave none behind: it is only priced.
  Router& router = network_.router();
  const Router::Trial trial(router);
  const std::uint64_t choices = router.adaptive_choices();
  Entry e = compute(op, a, group);
  e.load_routed = router.adaptive_choices() != choices;
  return e;
}

const CollectiveCostModel::Entry& CollectiveCostModel::entry(CollectiveOp op, CollectiveAlgorithm a,
                                                             std::span<const VertexId> group) {
  std::string key;
  key.reserve(2 + group.size() * sizeof(VertexId));
  key.push_back(static_cast<char>(op));
  key.push_back(static_cast<char>(a));
  key.append(reinterpret_cast<const char*>(group.data()), group.size() * sizeof(VertexId));
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    ++stats_.computed;
    return cache_.emplace(std::move(key), routed(op, a, group)).first->second;
  }
  Entry& e = it->second;
  if (e.network_version != network_.version()) {
    // Routes chosen by load may change with any flow, on links the entry never read.
    bool same = !e.load_routed;
    for (const auto& [l, v] : e.links) same = same && network_.link_version(l) == v;
    if (!same) {
      ++stats_.invalidated;
      e = routed(op, a, group);
      return e;
    }
    e.network_version = network_.version();
  }
  ++stats_.hits;
  return e;
}

double CollectiveCostModel::phase_seconds(const Phase& p, double bytes, CollectiveProtocol protocol) const {
  const ProtocolCost& pc = tuning_.cost(protocol);
  auto hop_of = [&pc](const std::array<double, 3>& share) {
    double h = 0;
    for (std::size_t c = 0; c < 3; ++c)
      if (share[c] > 0) h += share[c] * hop_latency(pc, static_cast<HopClass>(c)).seconds();
    return h;
  };
  const double hop = hop_of(p.hop_share);
  // A ring inside a node waits for each of its slices' flags in turn (ProtocolCost::
  // slices_per_step); one that crosses the network is paced by the proxy, which keeps NCCL_STEPS
  // sends in flight per connection, and pays NCCL's per-step network latency once.
  const bool sliced = p.sliced && p.hop_share[static_cast<std::size_t>(HopClass::kNetwork)] == 0;
  const double step_latency = (sliced ? pc.slices_per_step : 1.0) * (p.latency_s + p.hops_per_step * hop);
  const double rate = p.bandwidth * pc.rate_fraction();
  if (!p.pipelined) return p.steps * (bytes * p.fraction / rate + step_latency);
  const double part = bytes * p.fraction;
  const int chunks = p.tree_chunking ? tree_chunks(part, static_cast<int>((p.depth + p.chain_depth) / 2))
                                     : pipeline_chunks(part);
  const double step = part / chunks / rate + step_latency;
  if (p.chain_depth == 0) return (chunks + p.depth - 1) * step;
  const double chain_step = part / chunks / (p.chain_bandwidth * pc.rate_fraction()) + p.chain_latency_s +
                            p.hops_per_step * hop_of(p.chain_hop_share);
  return (chunks - 1) * std::max(step, chain_step) + p.depth * step + p.chain_depth * chain_step;
}

double CollectiveCostModel::flat_seconds(CollectiveOp op, CollectiveAlgorithm a, std::span<const VertexId> group,
                                         double bytes, CollectiveProtocol protocol) {
  double t = 0;
  for (const Phase& p : entry(op, a, group).phases) t += phase_seconds(p, bytes, protocol);
  return t;
}

bool CollectiveCostModel::is_flat(CollectiveAlgorithm a) {
  return a != CollectiveAlgorithm::kHierarchical && a != CollectiveAlgorithm::kCollnet &&
         a != CollectiveAlgorithm::kNvlsTree;
}

double CollectiveCostModel::best_flat_seconds(CollectiveOp op, std::span<const VertexId> group, double bytes,
                                              CollectiveProtocol protocol) {
  if (group.size() < 2) return 0;
  double best = std::numeric_limits<double>::infinity();
  for (const CollectiveAlgorithm a : candidates(op))
    if (is_flat(a) && supports(op, a, group)) best = std::min(best, flat_seconds(op, a, group, bytes, protocol));
  return best;
}

CollectiveAlgorithm CollectiveCostModel::best_flat(CollectiveOp op, std::span<const VertexId> group, double bytes) {
  if (group.size() < 2) return candidates(op).front();
  CollectiveAlgorithm chosen = CollectiveAlgorithm::kAuto;
  double best_s = std::numeric_limits<double>::infinity();
  for (const CollectiveAlgorithm a : candidates(op))
    if (is_flat(a) && supports(op, a, group)) {
      const double t = estimate_seconds(op, a, group, bytes);
      if (t < best_s) best_s = t, chosen = a;
    }
  if (chosen == CollectiveAlgorithm::kAuto) throw std::logic_error("collective: no flat algorithm for a phase");
  return chosen;
}

double CollectiveCostModel::estimate_seconds(CollectiveOp op, CollectiveAlgorithm a, std::span<const VertexId> group,
                                             double bytes) {
  if (a == CollectiveAlgorithm::kAuto) a = best(op, group, bytes);
  if (tuning_.protocol != CollectiveProtocol::kAuto || !is_flat(a) || group.size() < 2)
    return estimate_seconds(op, a, group, bytes, best_protocol(op, a, group, bytes));
  if (!supports(op, a, group))
    throw std::invalid_argument("collective: " + std::string(to_string(a)) + " cannot run " +
                                std::string(to_string(op)) + " on this group");
  // One cache lookup, every protocol priced on it (a hot path: a TP all-reduce per layer).
  const Entry& e = entry(op, a, group);
  double best_s = std::numeric_limits<double>::infinity();
  for (const CollectiveProtocol p : {CollectiveProtocol::kSimple, CollectiveProtocol::kLL128, CollectiveProtocol::kLL}) {
    double t = tuning_.launch_overhead.seconds() + tuning_.cost(p).base_latency.seconds();
    for (const Phase& phase : e.phases) t += phase_seconds(phase, bytes, p);
    best_s = std::min(best_s, t);
  }
  return best_s;
}

CollectiveProtocol CollectiveCostModel::best_protocol(CollectiveOp op, CollectiveAlgorithm a,
                                                      std::span<const VertexId> group, double bytes) {
  if (tuning_.protocol != CollectiveProtocol::kAuto) return tuning_.protocol;
  CollectiveProtocol chosen = CollectiveProtocol::kSimple;
  double best_s = estimate_seconds(op, a, group, bytes, chosen);
  for (const CollectiveProtocol p : {CollectiveProtocol::kLL128, CollectiveProtocol::kLL}) {
    const double t = estimate_seconds(op, a, group, bytes, p);
    if (t < best_s) {
      best_s = t;
      chosen = p;
    }
  }
  return chosen;
}

double CollectiveCostModel::estimate_seconds(CollectiveOp op, CollectiveAlgorithm a, std::span<const VertexId> group,
                                             double bytes, CollectiveProtocol protocol) {
  if (a == CollectiveAlgorithm::kAuto) a = best(op, group, bytes);
  if (!supports(op, a, group))
    throw std::invalid_argument("collective: " + std::string(to_string(a)) + " cannot run " +
                                std::string(to_string(op)) + " on this group");
  const double launch = tuning_.launch_overhead.seconds();
  if (group.size() < 2) return launch;
  const double start = launch + tuning_.cost(protocol).base_latency.seconds();
  if (is_flat(a)) return start + flat_seconds(op, a, group, bytes, protocol);
  // Reduce-scatter in a node, all-reduce of S/k across nodes per local index (collnet: in the
  // switches), all-gather in a node, pipelined in chunks. Nodes are alike (templates), so the
  // first node stands for all.
  const GroupLayout layout = group_layout(network_.topology(), group);
  const bool sharp = a == CollectiveAlgorithm::kCollnet;
  // One rank per node: collnet is the in-network reduction alone, the whole buffer at once.
  if (sharp && layout.per_node() == 1) return start + flat_seconds(op, a, group, bytes, protocol);
  const auto intra = intra_node_groups(layout, group);
  const auto inter = inter_node_groups(layout, group);
  const int chunks = pipeline_chunks(bytes);
  const double chunk = bytes / chunks;
  // nvls_tree: NVLS inside the node and the tree across nodes, as chosen; otherwise each phase
  // the fastest flat algorithm.
  const bool nvls_tree = a == CollectiveAlgorithm::kNvlsTree;
  auto phase_time = [&](CollectiveOp phase_op, CollectiveAlgorithm forced, std::span<const VertexId> g,
                           double b) {
    return nvls_tree ? flat_seconds(phase_op, forced, g, b, protocol) : best_flat_seconds(phase_op, g, b, protocol);
  };
  double across = 0;
  if (sharp) {
    across = flat_seconds(op, a, group, chunk, protocol);
  } else {
    for (const auto& g : inter)
      across = std::max(across, phase_time(CollectiveOp::kAllReduce, CollectiveAlgorithm::kTree, g,
                                              chunk / static_cast<double>(inter.size())));
  }
  const double scatter = phase_time(CollectiveOp::kReduceScatter, CollectiveAlgorithm::kNvls, intra[0], chunk);
  const double gather = phase_time(CollectiveOp::kAllGather, CollectiveAlgorithm::kNvls, intra[0], chunk);
  // In steady state a chunk's reduce-scatter and an earlier chunk's all-gather run at once on
  // the same links inside the node: those links pace the pipeline at the two phases' data
  // times per chunk in each direction (their step latencies overlap the other's data); each
  // phase at its own time. NVLink is full duplex (NVIDIA: NVLink 4, 900 GB/s = 450 each way):
  // a ring loads both directions alike, NVLS's reduce-scatter sends S into the switch and takes
  // S/k back, its all-gather the reverse (as NvlsTask), so the two overlap in opposite directions.
  const CollectiveAlgorithm rs = nvls_tree ? CollectiveAlgorithm::kNvls : best_flat(CollectiveOp::kReduceScatter, intra[0], chunk);
  const CollectiveAlgorithm ag = nvls_tree ? CollectiveAlgorithm::kNvls : best_flat(CollectiveOp::kAllGather, intra[0], chunk);
  const double d1 = scatter - flat_seconds(CollectiveOp::kReduceScatter, rs, intra[0], 0, protocol);
  const double d3 = gather - flat_seconds(CollectiveOp::kAllGather, ag, intra[0], 0, protocol);
  // The lighter direction's share of each phase's heavier one (reduce-scatter: into the switch).
  const double k = static_cast<double>(intra[0].size());
  const double back1 = rs == CollectiveAlgorithm::kNvls ? 1 / k : 1, back3 = ag == CollectiveAlgorithm::kNvls ? 1 / k : 1;
  const double node = std::max(d1 + back3 * d3, back1 * d1 + d3);
  // nvls_tree's tree between nodes takes chunk after chunk as NCCL's tree does (NCCL 2.4 blog:
  // chunks pipelined up and down the tree; NVLS_TREE runs its scatter, tree and multicast
  // stages on consecutive chunks at once, src/device/all_reduce.h): a chunk's trip of 2 x depth
  // tree steps is paid once, then one chunk a steady step (its data at the share with every
  // tree edge busy). The others take one chunk through their middle phase at a time.
  double across_pace = across;
  if (nvls_tree) {
    const TreeChannels tc = tree_channels(group_layout(network_.topology(), inter[0]), inter[0].size());
    const double trip = 2.0 * std::max(1, tc.tree_depth);
    const double steps = pipeline_chunks(chunk / static_cast<double>(inter.size()) / 2 /
                                         static_cast<double>(tc.orders.size()));
    // Chunks in the tree at once overlap each other's step latencies (NCCL keeps NCCL_STEPS
    // sends in flight per connection): the pace is a chunk's data time alone.
    double latency = 0;
    for (const auto& g : inter)
      latency = std::max(latency, flat_seconds(CollectiveOp::kAllReduce, CollectiveAlgorithm::kTree, g, 0, protocol));
    const double step = (across - latency) / (steps + trip - 1);  // one tree step's data
    across_pace = steps * step;
    // The first chunk's trip runs ahead of the others: its up steps and then its down steps
    // meet only their own direction's edges, at the tree's lone-chunk share.
    const Phase& tree = entry(CollectiveOp::kAllReduce, CollectiveAlgorithm::kTree, inter[0]).phases.front();
    if (tree.trip_bandwidth > 0)
      across = latency + trip * step * tree.bandwidth / tree.trip_bandwidth + (steps - 1) * step;
  }
  return start + scatter + across + gather + (chunks - 1) * std::max({node, scatter, across_pace, gather});
}

CollectiveAlgorithm CollectiveCostModel::best(CollectiveOp op, std::span<const VertexId> group, double bytes) {
  CollectiveAlgorithm chosen = CollectiveAlgorithm::kAuto;
  double best_s = std::numeric_limits<double>::infinity();
  for (const CollectiveAlgorithm a : candidates(op)) {
    if (!supports(op, a, group)) continue;
    const double t = estimate_seconds(op, a, group, bytes);
    if (t < best_s) {
      best_s = t;
      chosen = a;
    }
  }
  if (chosen == CollectiveAlgorithm::kAuto)
    throw std::invalid_argument("collective: no algorithm can run " + std::string(to_string(op)) + " on " +
                                std::to_string(group.size()) + " ranks");
  return chosen;
}

}  // namespace cs
