#pragma once
// The inter-node traffic of a serving replica whose GPUs span nodes, carried on the run's one
// flow network while the replica is busy, so that it shares links max-min with training's DP
// reductions and collective jobs (docs/COST_MODEL.md, "Serving traffic on the fabric").
//
// Per token of an iteration, split evenly over the replica's ep attention groups, the
// replica's collectives put fixed bytes on each link: every TP group's two ring all-reduces per
// layer of its stage (2(n-1)/n of the token's hidden state from each rank to the next, over
// NCCL's channels: one ring per NIC of a node, each moving 1/channels of it, as the cost model
// prices them, sim/network/ring_channels.hpp), each
// PP hand-off (the hidden state, group to group), and every MoE layer's dispatch and combine
// (k hidden states from each GPU, 1/ep to each other group's GPU of the same TP rank). Only
// the GPU pairs on different nodes count: traffic inside a node stays on its NVLink/PCIe,
// priced analytically. The links' bytes per token are a flow class (a link carries the
// least-loaded link's bytes times its count), capped at the tokens per second the replica's
// last iteration measured: the class is (re)started when an iteration ends at a token rate
// more than kRateTolerance away from the carried one, and stopped when the replica goes idle.
// What the replica gets back: its collectives are priced on the idle topology (Fabric::
// idle_cost_model: the analytical price, which already holds its own traffic), and when max-
// min gives its class less than it would get on the links alone (its demand, or the links'
// capacity over its members where that is less), only others' traffic can be the cause, and
// its communication takes that / the granted rate times longer (slowdown()). Alone on the
// fabric it gets exactly the idle price.
#include <span>
#include <vector>

#include "sim/llm/transformer_cost.hpp"
#include "sim/network/fabric.hpp"
#include "sim/network/flow_network.hpp"
#include "sim/engine/time.hpp"
#include "topology/topology_graph.hpp"

namespace cs {

class ReplicaTraffic {
 public:
  // A carried rate is kept while the measured one stays within this fraction of it: an
  // iteration's token count changes every step, a restart re-shares every link it crosses.
  static constexpr double kRateTolerance = 0.1;
  // Relative difference between a granted and a demanded rate that is floating-point rounding
  // of the max-min filling (sums and differences of link capacities), not a shortfall.
  static constexpr double kRoundingTolerance = 1e-9;

  // `gpus`: the replica's, stage by stage and group by group as ReplicaPlacement orders them.
  // Its traffic goes on the fabric's flow network, its rings routed as the fabric's tuning has it.
  ReplicaTraffic(Fabric& fabric, const TransformerCost& cost, std::span<const VertexId> gpus);
  ReplicaTraffic(const ReplicaTraffic&) = delete;
  ReplicaTraffic& operator=(const ReplicaTraffic&) = delete;
  // No stop on destruction: the run's network may be gone by then (the simulation builds the
  // fabric before serving and tears it down first); idle() ends the traffic during the run.

  // Whether any of the replica's traffic leaves a node (nothing to carry otherwise).
  bool crosses_nodes() const { return !links_.empty(); }
  // Bytes per token of an iteration on each link its inter-node traffic crosses.
  const std::vector<std::pair<LinkId, double>>& link_bytes_per_token() const { return per_token_; }

  // An iteration of `tokens` new tokens ran from `start` to `end`: carry its token rate.
  void iteration(std::int64_t tokens, Time start, Time end);
  // The replica has nothing in flight: its traffic stops.
  void idle();

  FlowHandle flow() const { return flow_; }
  // Tokens per second the carried class asks for (0 when none is carried).
  double demanded_tokens_per_s() const { return flow_.id == FlowNetwork::kNoFlow ? 0 : tokens_per_s_; }
  // What the class would get alone / what max-min gives it (>= 1; 1 when nothing is carried).
  double slowdown() const;

 private:
  void stop();

  FlowNetwork& network_;
  std::vector<std::pair<LinkId, double>> per_token_;
  std::vector<FlowNetwork::ClassLink> links_;
  double unit_ = 0;   // bytes per token on the least-loaded link: one member of the class
  double alone_ = 0;  // a member's rate on idle links: min over its links of capacity / count
  FlowHandle flow_;
  double tokens_per_s_ = 0;
};

}  // namespace cs
