#include "sim/simulation/replica_traffic.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>

#include "sim/network/ring_channels.hpp"

namespace cs {

ReplicaTraffic::ReplicaTraffic(Fabric& fabric, const TransformerCost& cost, std::span<const VertexId> gpus)
    : network_(fabric.network()) {
  const ParallelPlan& plan = cost.plan();
  const TransformerSpec& m = cost.model();
  const int tp = plan.tp, pp = plan.pp, groups = plan.ep;
  if (gpus.size() != static_cast<std::size_t>(tp * pp * groups))
    throw std::invalid_argument("serving traffic: a replica of " + std::to_string(tp * pp * groups) +
                                " GPUs placed on " + std::to_string(gpus.size()));
  const Topology& topo = network_.topology();
  Router& router = network_.router();
  std::map<LinkId, double> bytes;
  // A route between nodes puts its bytes on every link it crosses, the ones inside the end
  // nodes included; a route inside one node is on its NVLink/PCIe, priced analytically.
  auto add_route = [&](Route route, double per_token) {
    if (per_token <= 0 || route.links.empty() ||
        topo.vertex(topo.link(route.links.front()).from).node == topo.vertex(topo.link(route.links.back()).to).node)
      return;
    for (const LinkId l : route.links) bytes[l] += per_token;
  };
  auto add = [&](VertexId a, VertexId b, double per_token) {
    if (topo.vertex(a).node != topo.vertex(b).node) add_route(router.route(a, b), per_token);
  };
  auto gpu = [&](int stage, int group, int rank) {
    return gpus[static_cast<std::size_t>((stage * groups + group) * tp + rank)];
  };
  // A token's hidden state in bytes, and its share of each group (tokens split evenly).
  const double hidden = m.hidden * dtype_bytes(cost.precision().activations);
  const double share = 1.0 / groups;
  const double layers = double(m.layers) / pp, moe_layers = double(m.moe_layers()) / pp;
  for (int s = 0; s < pp; ++s)
    for (int g = 0; g < groups; ++g) {
      // Ring all-reduce: each rank sends 2(n-1)/n of the payload to the next, twice per layer,
      // split over the channels; each listed route of a channel carries 1/qps of its edge.
      if (tp > 1) {
        const std::span<const VertexId> group = gpus.subspan(static_cast<std::size_t>((s * groups + g) * tp),
                                                             static_cast<std::size_t>(tp));
        const RingRoutes rings = ring_routes(router, group, fabric.tuning());
        const double edge = share * TransformerCost::kTpAllReducesPerLayer * layers * 2.0 * (tp - 1) / tp * hidden;
        const double per_route = edge / static_cast<double>(rings.channels.size()) / rings.qps;
        for (const auto& channel : rings.channels)
          for (const RouteId r : channel) add_route(router.path(r), per_route);
      }
      if (s + 1 < pp) add(gpu(s, g, 0), gpu(s + 1, g, 0), share * hidden);
      // Dispatch from g and combine back to g: 1/groups of each TP rank's k hidden states to
      // every group's same rank, per MoE layer.
      if (groups > 1)
        for (int other = 0; other < groups; ++other) {
          if (other == g) continue;
          for (int r = 0; r < tp; ++r)
            add(gpu(s, g, r), gpu(s, other, r), 2 * share * moe_layers * m.experts_per_token * hidden / groups);
        }
    }
  if (bytes.empty()) return;
  per_token_.assign(bytes.begin(), bytes.end());
  unit_ = per_token_.front().second;
  for (const auto& [l, b] : per_token_) unit_ = std::min(unit_, b);
  alone_ = FlowNetwork::kUnlimited;
  for (const auto& [l, b] : per_token_) {
    links_.push_back({l, static_cast<std::uint32_t>(std::max(1.0, std::round(b / unit_)))});
    alone_ = std::min(alone_, network_.capacity(l) / links_.back().count);
  }
}

void ReplicaTraffic::iteration(std::int64_t tokens, Time start, Time end) {
  if (links_.empty() || tokens <= 0 || end <= start) return;
  const double rate = static_cast<double>(tokens) / (end - start).seconds();
  if (flow_.id != FlowNetwork::kNoFlow && std::abs(rate - tokens_per_s_) <= kRateTolerance * tokens_per_s_) return;
  stop();
  tokens_per_s_ = rate;
  flow_ = network_.handle(network_.start_standing_class(links_, unit_ * rate));
}

void ReplicaTraffic::idle() {
  stop();
}

void ReplicaTraffic::stop() {
  network_.stop(flow_);
  flow_ = FlowHandle{};
}

double ReplicaTraffic::slowdown() const {
  if (!network_.active(flow_)) return 1;
  const double got = network_.rate(flow_);
  // Before the instant's rates settle the class has no rate yet: nothing measured.
  if (!(got > 0)) return 1;
  // Against what the class would get alone: the analytical price already holds the replica's
  // own traffic on the links (the cost model's view of them idle), only others' slow it more.
  // A shortfall within the max-min filling's rounding is no contention: alone is exactly idle.
  const double alone = std::min(unit_ * tokens_per_s_, alone_);
  if (got >= alone * (1 - kRoundingTolerance)) return 1;
  return alone / got;
}

}  // namespace cs
