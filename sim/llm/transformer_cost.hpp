#pragma once
// FLOPs and HBM bytes of a transformer's forward pass, per layer and per GPU of a plan.
//
// Per new token and layer: every matrix parameter it meets costs 2 FLOPs (multiply + add):
// Q/K/V/O, k of E experts' FFN, the router. Attention adds QK^T and AV: 2 * 2 * q_dim FLOPs
// per (token, attended position) pair, which is the term that grows with context. The LM head
// is 2 * vocab * hidden per token whose logits are computed. Bytes: every weight the step
// touches is read once per iteration (the reason decode is memory-bound), the K and V of the
// cached context are read and the new tokens' written, and activations cross HBM between
// kernels (inputs read, outputs written, fused elementwise assumed).
#include "sim/hardware/roofline.hpp"
#include "sim/llm/iteration_shape.hpp"
#include "sim/llm/model_precision.hpp"
#include "sim/llm/parallel_plan.hpp"
#include "sim/llm/transformer_spec.hpp"

namespace cs {

// Kernels per layer in a fused serving stack: norm+QKV GEMM, attention (with RoPE and the KV
// write), O GEMM, residual+norm, gate/up GEMM with the activation in its epilogue, down GEMM.
inline constexpr int kKernelsPerLayer = 6;

class TransformerCost {
 public:
  TransformerCost(const TransformerSpec& model, const ModelPrecision& precision, const ParallelPlan& plan = {});

  const TransformerSpec& model() const { return model_; }
  const ParameterCount& params() const { return params_; }
  const ModelPrecision& precision() const { return precision_; }
  const ParallelPlan& plan() const { return plan_; }

  // One layer on one GPU of its TP group (GEMMs, router, activations).
  KernelWork layer_dense_work(const IterationShape& s) const;
  // One layer's attention on one GPU: the context term and the KV cache traffic.
  KernelWork layer_attention_work(const IterationShape& s) const;
  // Embedding gather (first stage) and LM head (last stage) on one GPU, vocab split over tp.
  KernelWork embedding_work(const IterationShape& s) const;
  KernelWork lm_head_work(const IterationShape& s) const;

  // Whole-model FLOPs of a forward pass (all GPUs together).
  double forward_flops(const IterationShape& s) const;

  // Weight bytes one GPU holds and reads per layer: attention / tp, experts / (tp * ep).
  double layer_weight_bytes_per_gpu() const;
  double embedding_bytes_per_gpu() const;
  double lm_head_bytes_per_gpu() const;  // tied heads still need a copy on the last stage
  double weights_bytes_total() const;    // the whole model at the weight format
  // K and V for one token in one layer on one GPU.
  double kv_bytes_per_token_layer_per_gpu() const;

  // Collective payloads the network carries per layer (bytes per GPU):
  // Megatron TP does 2 all-reduces of the layer's activations in the forward pass.
  double tp_all_reduce_bytes(const IterationShape& s) const;
  static constexpr int kTpAllReducesPerLayer = 2;
  // Activations handed from one pipeline stage to the next.
  double pp_transfer_bytes(const IterationShape& s) const;
  // MoE dispatch (and again combine), per MoE layer: each token's hidden state goes to its k
  // experts. As an all-to-all send buffer: (ep - 1) / ep of it leaves the GPU.
  double ep_all_to_all_bytes(const IterationShape& s) const;

 private:
  double activation_elements_per_token_layer() const;
  double lm_head_bytes_or_shared() const;
  double touched_experts_per_gpu(double tokens) const;

  TransformerSpec model_;
  ModelPrecision precision_;
  ParallelPlan plan_;
  ParameterCount params_;
  // The shape-independent factors of the per-shape work, computed once by the constructor in
  // the same order the formulas use them, so the work of a shape is a few multiplications
  // (serving prices millions of batches) and its doubles do not change.
  struct Factors {
    double dense_flops_per_token = 0;  // per layer, / 2: attention matmuls + k experts + router
    double dense_weights = 0;          // per layer: attention, norms, router (experts apart)
    double expert_per_gpu = 0;         // one expert's FFN on this GPU
    double routed_flops_per_token = 0;  // per layer, / 2: the k routed experts (mean layer)
    double routed_share = 1;            // MoE layers / layers
    double activation_elements = 0;    // activation_elements_per_token_layer()
    double attention_flops_per_pair = 0;
    double kv_bytes = 0;  // kv_bytes_per_token_layer_per_gpu()
    double vocab_per_gpu = 0;
    double lm_head_bytes = 0;  // lm_head_bytes_or_shared()
    double weight_bytes = 0;   // per element, by format
    double activation_bytes = 0;
    Dtype attention_dtype = Dtype::kBf16;
  } f_;
};

// Inline: a fused decode run prices every step's attention (the part that grows with context).
inline KernelWork TransformerCost::layer_attention_work(const IterationShape& s) const {
  KernelWork w;
  w.dtype = f_.attention_dtype;
  w.flops = f_.attention_flops_per_pair * s.attended_pairs;
  w.bytes = f_.kv_bytes * (s.kv_read_tokens + s.new_tokens);
  return w;
}

// KV cache bytes per token for the whole model: 2 (K and V) * layers * kv_heads * head_dim *
// bytes.
double kv_cache_bytes_per_token(const TransformerSpec& model, Dtype kv_dtype);

// Forward FLOPs of `shape` for the whole model (bf16 view; FLOPs do not depend on format).
double forward_flops(const TransformerSpec& model, const IterationShape& shape);

// Training FLOPs for `tokens` tokens in sequences of `sequence_length`: forward + backward is
// 3 forward passes (the backward computes gradients for activations and for weights, 2x the
// forward), 4 with full activation recomputation (the forward runs again in the backward).
double training_flops(const TransformerSpec& model, double tokens, double sequence_length, bool recompute_activations);

}  // namespace cs
