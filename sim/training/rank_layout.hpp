#pragma once
// Where a training job's ranks sit: its GPUs in rank order (the RunningTrainingJob convention,
// rank r = (((dp_index x pp) + stage) x cp + cp_index) x tp + tp_index: TP fastest, then context
// parallelism, so TP and CP groups stay inside nodes first) cut into the groups that communicate.
#include <span>
#include <vector>

#include "sim/training/training_job_spec.hpp"
#include "topology/topology_graph.hpp"

namespace cs {

struct RankLayout {
  int tp = 1;
  int pp = 1;
  int dp = 1;
  int cp = 1;
  // tp_groups[((dp_index x pp) + stage) x cp + cp_index]: the tp GPUs of one sequence chunk of
  // one stage of one replica.
  std::vector<std::vector<VertexId>> tp_groups;
  // cp_groups[((dp_index x pp) + stage) x tp + tp_index]: the cp GPUs sharing one sequence.
  std::vector<std::vector<VertexId>> cp_groups;
  // dp_groups[stage x tp + tp_index]: the dp x cp GPUs holding the same shard of the same
  // layers (every replica's every sequence chunk), dp-major.
  std::vector<std::vector<VertexId>> dp_groups;
  // The GPU of rank (dp_index, stage, tp_index, cp_index).
  std::span<const VertexId> gpus;
  VertexId gpu(int dp_index, int stage, int tp_index, int cp_index = 0) const {
    return gpus[static_cast<std::size_t>(((dp_index * pp + stage) * cp + cp_index) * tp + tp_index)];
  }
  // The next stage's GPU with the same TP index (PP sends go between these pairs).
  VertexId next_stage(int dp_index, int stage, int tp_index) const { return gpu(dp_index, stage + 1, tp_index); }
};

// Throws std::invalid_argument when the GPU count is not tp x cp x pp x dp. The result refers to
// `gpus`, which must outlive it.
RankLayout rank_layout(const TrainingParallelism& plan, std::span<const VertexId> gpus);

// Orders allocated GPUs (any order) into rank order: GPUs are sorted node-major (node, then
// local index), so each run of tp consecutive ranks is one TP group. Throws
// std::invalid_argument when tp exceeds the GPUs per node, or when a node's GPUs cannot be cut
// into whole TP groups (a TP group would straddle two nodes).
std::vector<VertexId> order_ranks(const Topology& topo, std::span<const VertexId> allocated,
                                  const TrainingParallelism& plan);

}  // namespace cs
