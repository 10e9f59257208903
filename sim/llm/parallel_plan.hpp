#pragma once
// How a model is split over GPUs. tp: every layer's matrices split over tp GPUs (Megatron
// column/row parallel, two all-reduces per layer forward). pp: layers split into pp stages.
// dp: replicas (serving) or data-parallel ranks (training). ep: the experts of each MoE layer
// spread over ep ranks taken from dp (Megatron/DeepSpeed style), so expert weights per GPU
// shrink by ep while attention stays replicated; tokens reach their experts by all-to-all.
#include <string>

#include "sim/llm/transformer_spec.hpp"

namespace cs {

struct ParallelPlan {
  int tp = 1;
  int pp = 1;
  int dp = 1;
  int ep = 1;
  // Token-routing imbalance under expert parallelism: the routed tokens of the busiest EP rank
  // relative to the mean (1: balanced); the layer's expert GEMMs wait on that rank.
  double expert_skew = 1;

  int replica_gpus() const { return tp * pp; }
  int total_gpus() const { return tp * pp * dp; }
  std::string describe() const;  // "tp=4 pp=1 dp=1" (+ " ep=2")
};

// Throws std::invalid_argument: degrees >= 1, tp divides heads, pp <= layers, ep divides both
// dp and the expert count (and is 1 for dense models), expert_skew >= 1.
void validate(const ParallelPlan& plan, const TransformerSpec& model);

// Layers held by the fullest pipeline stage: ceil(layers / pp).
int layers_per_stage(const TransformerSpec& model, const ParallelPlan& plan);
// KV heads one TP rank holds: heads are split, but with fewer KV heads than ranks each rank
// keeps a copy of the KV head its query heads share, so ceil(kv_heads / tp).
int kv_heads_per_gpu(const TransformerSpec& model, int tp);

}  // namespace cs
