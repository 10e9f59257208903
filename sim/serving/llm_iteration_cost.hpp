#pragma once
// The transformer cost model (sim/llm: per-layer FLOPs and bytes through the GPU's roofline,
// plus the TP all-reduces, PP hand-offs and MoE all-to-alls sim/llm estimates) priced for the
// batches a Replica forms, and the KV-cache size the memory model leaves that replica.
#include "sim/hardware/gpu_spec.hpp"
#include "sim/llm/iteration_model.hpp"
#include "sim/llm/memory_model.hpp"
#include "sim/llm/model_precision.hpp"
#include "sim/llm/parallel_plan.hpp"
#include "sim/llm/transformer_spec.hpp"
#include "sim/serving/iteration_cost_model.hpp"
#include "sim/serving/replica.hpp"

namespace cs {

class LlmIterationCost final : public IterationCostModel {
 public:
  // Throws std::invalid_argument for a plan the model cannot be split by.
  // `communication`: the replica's TP all-reduce and PP hand-off priced on its placement
  // (sim/simulation fills it from the topology's collective cost model); empty: the GPU-link
  // alpha-beta estimate. `engine`: the serving engine's fixed costs and kernel efficiencies
  // (default: the bare roofline).
  // `streaming`: the replica's streamed layers (replica.weight_streaming), each pass copying
  // them over the host links (communication.host_copy_s, else the plan's host rate).
  LlmIterationCost(const TransformerSpec& model, const GpuSpec& gpu, const ModelPrecision& precision,
                   const ParallelPlan& plan, CommunicationCost communication = {}, EngineProfile engine = {},
                   std::optional<StreamingPlan> streaming = std::nullopt);
  Time iteration_time(const BatchShape& batch) const override;
  IterationPrice price(const BatchShape& batch) const override;
  // The dense layers, head and communication priced once for the run (they depend only on
  // the number of sequences), the attention per step: equal to pricing each step alone.
  void decode_run_times(std::int64_t sequences, std::int64_t context_tokens, std::span<Time> out) const override;
  const IterationModel& model() const { return model_; }

 private:
  IterationShape shape_of(const BatchShape& batch) const;

  IterationModel model_;
  TransformerCost unsharded_;  // model FLOPs are counted on one copy, whatever the plan
};

// Fills spec.gpus, kv_bytes_per_token and kv_cache_bytes for a replica of `model` on tp·pp
// `gpu`s as the engine sizes it at start-up (`sizing`, kv_cache_budget_per_gpu): per GPU of the
// fullest stage, the budget less the weights, the activation peak of the largest forward pass
// (max_batched_tokens tokens of max_num_seqs sequences) and the runtime, summed over the
// replica's GPUs. Throws std::invalid_argument when not one KV block fits.
void size_replica_kv_cache(ReplicaSpec& spec, const TransformerSpec& model, const GpuSpec& gpu,
                           const ModelPrecision& precision, const ParallelPlan& plan, const KvSizing& sizing);

// The same for a replica that streams the weights its memory cannot hold (plan_serving_streaming,
// keeping room for one sequence of the model's whole context): fills the spec from the plan's
// memory and returns the plan. Throws std::invalid_argument when even streaming every layer
// leaves too little.
StreamingPlan size_streaming_replica_kv_cache(ReplicaSpec& spec, const TransformerSpec& model, const GpuSpec& gpu,
                                              const ModelPrecision& precision, const ParallelPlan& plan,
                                              const KvSizing& sizing);

}  // namespace cs
