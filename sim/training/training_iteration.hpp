#pragma once
// One training iteration (optimizer step) of a job on its GPUs, and what it adds up to.
//
// Per micro-batch and layer, on one GPU of a TP group (sim/llm's TransformerCost + roofline):
//   forward   GEMMs (FLOPs at the compute efficiency, weights streamed from HBM)
//             + the activation traffic of the norms, activations, dropouts and residuals as
//               their own memory-bound kernels (training runs them unfused, unlike a serving
//               stack that folds them into GEMM epilogues)
//             + attention (FlashAttention: causal FLOPs; otherwise the full s x s score
//               matrix computed, and written, softmaxed, dropped out and read through HBM:
//               13 bytes per score element)
//   backward  2 x the forward's work; + 1 forward with activation recomputation
//             + adding the weight gradients into the gradient buffer (gradient_dtype): fresh
//               gradient written and read, buffer read and written, memory-bound
//   TP        2 all-reduces of b*s*h activations forward, 2 backward, 2 more recomputing,
//             timed by the network's CollectiveCostModel on the job's real TP group
//   CP        (cp > 1) every GPU works on s/cp tokens of each sequence: dense work, TP and PP
//             bytes / cp; attention 1/cp of the whole sequence's, in cp ring steps, each
//             sending the held K, V chunk (cp_kv_bytes_per_step) to the next CP rank behind the
//             step's attention (backward: K, V and their gradients); exposed per step
//             max(0, send - attention step), counted with the TP time. Gradients reduce over
//             dp x cp ranks; ZeRO shards over them.
//   EP        (ep > 1, MoE) per MoE layer and pass a dispatch and a combine all-to-all of
//             ep_all_to_all_bytes among ep ranks of consecutive replicas (CollectiveCostModel,
//             kAllToAll), counted with the TP time; the expert GEMMs of the busiest rank scaled
//             by moe_capacity_factor.
// Stages: ceil(layers/pp) layers each, the LM head on the last, the embedding on the first.
// The 1F1B (interleaved when virtual_stages > 1) schedule of these ops gives the makespan;
// the PP hand-off of b*s*h activations goes as Megatron's scatter/gather: each TP rank sends
// 1/tp to its peer in the next stage over the network, then the TP group all-gathers.
//
// fp8 (precision.compute = fp8, Transformer-Engine delayed scaling): the layers' GEMMs run at
// the fp8 peak and read the fp8 weight copy; each GEMM operand is cast to fp8 (fused
// cast-transpose-amax, 4 bytes per element, memory-bound) forward and backward; once per step
// the weights are cast (2 bytes read, 2 written) and the amax histories rolled. Attention, the
// elementwise work, the LM head, TP/PP traffic and the optimizer stay bf16/fp32.
// DP gradient reduction per DP group (same stage and TP index in every replica), on the
// stage's parameters on one GPU:
//   ZeRO 0: all-reduce of the gradients (gradient format); ZeRO 1-2 (Megatron's distributed
//   optimizer): reduce-scatter of the gradients, then all-gather of the updated weights, both
//   priced on the gradient buffer's bytes (Rajbhandari et al. 2020); ZeRO 3: one more
//   all-gather.
// Overlap (overlap_dp_communication): gradients of a layer are final once the last micro-batch's
// backward has passed it, so reduction can run behind that backward: exposed = max(0, dp -
// window), window = one micro-batch's backward through the stage. Otherwise all of it is exposed.
// Optimizer (Adam, memory-bound): per parameter it updates (divided over dp from ZeRO 1) it
// reads the gradient, reads and writes the fp32 master copy, momentum and variance, and writes
// the weight: bytes / (HBM bandwidth x memory efficiency).
#include <memory>
#include <span>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/llm/memory_model.hpp"
#include "sim/network/collective_cost.hpp"
#include "sim/network/collective_types.hpp"
#include "sim/network/flow_network.hpp"
#include "sim/training/job_speed_model.hpp"
#include "sim/training/pipeline_schedule.hpp"
#include "sim/training/rank_layout.hpp"
#include "topology/router.hpp"

namespace cs {

struct TrainingIterationResult {
  IterationBreakdown breakdown;
  double iteration_s = 0;

  // Per micro-batch on the slowest stage (all its model chunks together).
  double forward_s = 0;   // GPU work
  double backward_s = 0;  // GPU work, recomputation included
  double tp_comm_per_micro_batch_s = 0;  // TP (and CP, below) exposed, all layers of the stage
  double cp_comm_per_micro_batch_s = 0;  // ring-attention K/V exchange not hidden by attention
  double ep_comm_per_micro_batch_s = 0;  // MoE dispatch + combine all-to-alls (in the TP time too)
  double pp_transfer_s = 0;  // one hand-off between neighbouring stages
  double dp_comm_s = 0;      // the whole gradient reduction, before overlap
  double dp_overlap_window_s = 0;
  PipelineScheduleResult schedule;

  // Megatron-LM's count (Narayanan et al. 2021, appendix), GPT-style dense models (ffn = 4h):
  // per iteration F = passes x (24 B s l h^2 + 4 B s^2 l h) + 6 B s h V, passes = 4 with full
  // recomputation (96 B s l h^2 (1 + s/6h + V/16lh)), 3 without. It counts the recomputed
  // forward: hardware FLOPs, the figure the paper reports as achieved TFLOP/s per GPU.
  double megatron_flops_per_iteration = 0;
  double achieved_flops_per_gpu = 0;  // megatron_flops_per_iteration / (iteration_s x GPUs)
  // Model FLOPs (PaLM-style MFU): 3 forward passes per token (6 N + attention + LM head),
  // recomputation not counted; mfu = model FLOPs / (iteration_s x GPUs x dense peak).
  double model_flops_per_iteration = 0;
  double mfu = 0;

  double tokens_per_s = 0;
  double seconds_for_budget = 0;  // token_budget / tokens per iteration x iteration_s
  double gpu_hours_for_budget = 0;
  double cost_usd = 0;  // gpu_hours_for_budget x usd_per_gpu_hour
};

// The collectives of one DP group's gradient reduction, in the order they run.
std::vector<CollectiveRequest> dp_reduction_collectives(const TrainingJobSpec& spec, std::span<const VertexId> group);
// One of them with the algorithm (in the request) and protocol it runs with.
struct DpCollective {
  CollectiveRequest request;
  CollectiveProtocol protocol = CollectiveProtocol::kSimple;
};
// Bytes one GPU sends per iteration to its peer (same TP index) in the next pipeline stage:
// every micro-batch's activations, b s h / tp each (Megatron's scatter/gather hand-off), once
// per model chunk (interleaved 1F1B crosses each stage boundary v times); the gradients coming
// back are as many bytes the other way.
double pp_handoff_bytes(const TrainingJobSpec& spec);
// Bytes of gradients one GPU of the fullest stage reduces.
double dp_gradient_bytes(const TrainingJobSpec& spec);
// Memory per GPU on the fullest stage (sim/llm training_memory_per_gpu with the job's recipes:
// its ZeRO stage, recomputation, sequence parallelism, interleaving, micro-batches in flight,
// gradient format, and under fp8 the cached fp8 weights).
TrainingOptions training_memory_options(const TrainingJobSpec& spec);
TrainingMemory training_job_memory(const TrainingJobSpec& spec);
// Bytes of one ring-attention step: the K and V of this rank's s/cp tokens (its KV heads).
double cp_kv_bytes_per_step(const TrainingJobSpec& spec);
// Bytes each GPU sends into one MoE all-to-all (dispatch or combine) per layer and micro-batch:
// its tokens x top_k x hidden x 2 bytes, x the capacity factor.
double ep_all_to_all_bytes(const TrainingJobSpec& spec);
// Megatron-LM's FLOPs per iteration (see TrainingIterationResult).
double megatron_flops_per_iteration(const TrainingJobSpec& spec);

class TrainingIterationModel {
 public:
  // Collectives are priced on an idle copy of the network over `topo` (which must outlive it),
  // for a job timed outside a run.
  explicit TrainingIterationModel(const Topology& topo, LinkEfficiency efficiency = {}, CollectiveTuning tuning = {},
                                  CollectiveAlgorithm dp_algorithm = CollectiveAlgorithm::kRing);
  // Collectives priced on `idle`, a cost model over `topo` whose network carries no flow (a
  // run's Fabric::idle_cost_model(), with the fabric's `tuning`); both must outlive it.
  TrainingIterationModel(const Topology& topo, CollectiveCostModel& idle, const CollectiveTuning& tuning,
                         CollectiveAlgorithm dp_algorithm = CollectiveAlgorithm::kRing);
  ~TrainingIterationModel();
  TrainingIterationModel(const TrainingIterationModel&) = delete;
  TrainingIterationModel& operator=(const TrainingIterationModel&) = delete;

  // `gpus` in rank order. Uncontended: the DP reduction priced by the cost model.
  TrainingIterationResult time(const TrainingJobSpec& spec, std::span<const VertexId> gpus,
                               double usd_per_gpu_hour = 0);
  // The same with the DP reduction's duration given (e.g. measured with other jobs' traffic).
  TrainingIterationResult time_with_dp(const TrainingJobSpec& spec, std::span<const VertexId> gpus, double dp_comm_s,
                                       double usd_per_gpu_hour = 0);
  // The same, with each pipeline hand-off between nodes `pp_extra_s_per_byte` slower per byte
  // sent than on the idle network (others' traffic on its links: 1/granted - 1/alone rate).
  TrainingIterationResult time_contended(const TrainingJobSpec& spec, std::span<const VertexId> gpus, double dp_comm_s,
                                         double pp_extra_s_per_byte);
  // The DP reduction of one group on the idle network.
  double dp_seconds(const TrainingJobSpec& spec, std::span<const VertexId> group);
  // Its collectives with the algorithm and protocol each runs with (the job's DP algorithm
  // where it can run the collective, else the cost model's best; the tuning's protocol, else
  // the cost model's best), as dp_seconds prices them.
  std::vector<DpCollective> dp_plan(const TrainingJobSpec& spec, std::span<const VertexId> group);
  const CollectiveTuning& tuning() const { return tuning_; }

  CollectiveAlgorithm dp_algorithm() const { return dp_algorithm_; }
  const Topology& topology() const { return topo_; }

 private:
  TrainingIterationResult compute(const TrainingJobSpec& spec, std::span<const VertexId> gpus, const double* dp_comm_s,
                                  double usd_per_gpu_hour, double pp_extra_s_per_byte = 0);
  CollectiveAlgorithm dp_algorithm_for(const CollectiveRequest& r);

  struct Idle;  // the idle network of the first constructor
  const Topology& topo_;
  std::unique_ptr<Idle> own_;
  const CollectiveTuning& tuning_;
  CollectiveCostModel& cost_;
  CollectiveAlgorithm dp_algorithm_;
};

}  // namespace cs
