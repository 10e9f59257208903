#pragma once
// Time of one forward iteration of a serving replica (a prefill batch, a decode step, or a
// mix), from the roofline of each layer's GEMMs and attention on one GPU of the TP group, the
// TP all-reduces, PP hand-offs and MoE all-to-alls on the GPU link, and, when weights are
// streamed, the PCIe copies that compute cannot hide. A token's pass visits every stage in
// turn, so the latency of one iteration sums all layers; pipelining raises throughput only
// when several micro-batches are in flight, which this per-iteration view does not assume.
// A serving engine's profile (EngineProfile) adds its fixed costs and kernel efficiencies.
#include <functional>
#include <optional>

#include "sim/hardware/gpu_spec.hpp"
#include "sim/hardware/link_estimate.hpp"
#include "sim/hardware/roofline.hpp"
#include "sim/llm/engine_profile.hpp"
#include "sim/llm/transformer_cost.hpp"
#include "sim/llm/weight_streaming.hpp"

namespace cs {

struct PhaseTime {
  KernelTime gpu;           // roofline work + launches over all layers and the head
  double tp_comm_s = 0;     // TP all-reduces (not overlapped with compute)
  double pp_comm_s = 0;     // stage-to-stage activation hand-offs
  double ep_comm_s = 0;     // MoE dispatch and combine
  double host_stall_s = 0;  // streamed layers waiting for their PCIe copy
  // Engine costs: kernel dispatch the GPU's work could not hide (eager steps), and the host's
  // own work per iteration (serial with the GPU).
  double dispatch_stall_s = 0;
  double host_s = 0;

  double comm_s() const { return tp_comm_s + pp_comm_s + ep_comm_s; }
  double seconds() const { return gpu.seconds() + comm_s() + host_stall_s + dispatch_stall_s + host_s; }
  // host-link when waiting on PCIe copies dominates the GPU's own work, else the GPU bound.
  Bound bound() const;
};

// The replica's own communication, priced by whoever knows where its GPUs are (the network's
// collective cost model over a placement on the topology). Each maps the payload per GPU in
// bytes to seconds; an empty one falls back to the GPU-link alpha-beta estimate.
struct CommunicationCost {
  std::function<double(double bytes)> tp_all_reduce_s;  // one all-reduce over a TP group
  std::function<double(double bytes)> pp_send_s;        // one hand-off between adjacent stages
  std::function<double(double bytes)> ep_all_to_all_s;  // one MoE dispatch (or combine) over the EP ranks
  // One streamed layer's copy onto each GPU over its host link, as the links are shared now
  // (empty: the streaming plan's host rate).
  std::function<double(double bytes)> host_copy_s;
};

class IterationModel {
 public:
  // `streaming`: which layers are streamed; omit when all weights are resident.
  IterationModel(const TransformerSpec& model, const GpuSpec& gpu, const ModelPrecision& precision,
                 const ParallelPlan& plan, std::optional<StreamingPlan> streaming = std::nullopt,
                 CommunicationCost communication = {}, EngineProfile engine = {});

  PhaseTime time(const IterationShape& shape) const;

  // The terms of time(shape) that depend on the shape only through its sequences, prompts, new
  // and logit tokens: the dense layers, embedding, LM head, communication and the engine's
  // fixed costs. Consecutive decode steps of one batch share them (only the attended context
  // grows), so a run of steps is priced with them computed once and time(token_terms(s), s)
  // is time(s) to the last bit.
  struct TokenTerms {
    double sequences = 0;
    double prompts = 0;
    double new_tokens = 0;
    double logit_tokens = 0;
    KernelTime layer_dense, embedding, lm_head;
    double tp_comm_s = 0, pp_comm_s = 0, ep_comm_s = 0;
    double kernel_gaps_s = 0;         // engine: GPU gaps between the iteration's kernels
    double dispatch_stall_s = 0;      // engine: dispatch the non-attention kernels' GPU time leaves
    double attention_dispatch_s = 0;  // engine: host time to launch one attention kernel (0: graph)
    double host_s = 0;                // engine: host work per iteration
  };
  TokenTerms token_terms(const IterationShape& shape) const;
  // `terms` must come from a shape with the same sequences, prompts, new and logit tokens
  // (std::invalid_argument).
  // With a placement's communication, terms stay exact only while its prices do (one instant).
  PhaseTime time(const TokenTerms& terms, const IterationShape& shape) const;

  const TransformerCost& cost() const { return cost_; }
  const GpuSpec& gpu() const { return gpu_; }
  const std::optional<StreamingPlan>& streaming() const { return streaming_; }
  const EngineProfile& engine() const { return engine_; }

 private:
  KernelTime engine_attention(const IterationShape& s) const;

  TransformerCost cost_;
  GpuSpec gpu_;
  std::optional<StreamingPlan> streaming_;
  CommunicationCost communication_;
  EngineProfile engine_;
  // Looked up once: time() runs per priced batch.
  RooflineRates rates_;
  // Engine profiles only: achievable rates before the shape-dependent factors.
  double dense_flops_per_s_ = 0;      // GEMMs: peak x compute efficiency (x fp8 efficiency)
  double attention_flops_per_s_ = 0;  // prefill attention at long context
  double hbm_bytes_per_s_ = 0;
  double kv_streams_per_sequence_ = 0;    // KV heads on one GPU
  double dense_kernels_per_layer_ = 0;    // a layer's kernels but its attention
  double comm_kernels_per_layer_ = 0;     // its TP all-reduces
  double kernels_per_iteration_ = 0;      // all of them
  LinkPath tp_path_, pp_path_, ep_path_;  // the alpha-beta fallbacks' links
};

}  // namespace cs
