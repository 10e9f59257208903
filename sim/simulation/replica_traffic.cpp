#include "sim/simulation/replica_traffic.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>

namespace cs {

ReplicaTraffic::ReplicaTraffic(FlowNetwork& network, const TransformerCost& cost, std::span<const VertexId> gpus)
    : network_(network) {
  const ParallelPlan& plan = cost.plan();
  const TransformerSpec& m = cost.model();
  const int tp = plan.tp, pp = plan.pp, groups = plan.ep;
  if (gpus.size() != static_cast<std::size_t>(tp * pp * groups))
    throw std::invalid_argument("serving traffic: a replica of " + std::to_string(tp * pp * groups) +
                                " GPUs placed on " + std::to_string(gpus.size()));
  const Topology& topo = network.topology();
  Router& router = network.router();
  std::map<LinkId, double> bytes;
  auto add = [&](VertexId a, VertexId b, double per_token) {
    if (per_token <= 0 || topo.vertex(a).node == topo.vertex(b).node) return;
    for (const LinkId l : router.route(a, b).links) bytes[l] += per_token;
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
      // Ring all-reduce: rank i sends 2(n-1)/n of the payload to rank i+1, twice per layer.
      if (tp > 1)
        for (int r = 0; r < tp; ++r)
          add(gpu(s, g, r), gpu(s, g, (r + 1) % tp),
              share * TransformerCost::kTpAllReducesPerLayer * layers * 2.0 * (tp - 1) / tp * hidden);
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
    alone_ = std::min(alone_, network.capacity(l) / links_.back().count);
  }
}

void ReplicaTraffic::iteration(std::int64_t tokens, Time start, Time end) {
  if (links_.empty() || tokens <= 0 || end <= start) return;
  const double rate = static_cast<double>(tokens) / (end - start).seconds();
  if (flow_ != FlowNetwork::kNoFlow && std::abs(rate - tokens_per_s_) <= kRateTolerance * tokens_per_s_) return;
  stop();
  tokens_per_s_ = rate;
  flow_ = network_.start_standing_class(links_, unit_ * rate);
}

void ReplicaTraffic::idle() {
  stop();
}

void ReplicaTraffic::stop() {
  if (flow_ != FlowNetwork::kNoFlow && network_.active(flow_)) network_.stop(flow_);
  flow_ = FlowNetwork::kNoFlow;
}

double ReplicaTraffic::slowdown() const {
  if (flow_ == FlowNetwork::kNoFlow || !network_.active(flow_)) return 1;
  const double got = network_.rate(flow_);
  // Before the instant's rates settle the class has no rate yet: nothing measured.
  if (!(got > 0)) return 1;
  // Against what the class would get alone: the analytical price already holds the replica's
  // own traffic on the links (the cost model's view of them idle), only others' slow it more.
  return std::max(1.0, std::min(unit_ * tokens_per_s_, alone_) / got);
}

}  // namespace cs
