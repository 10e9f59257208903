#include "sim/llm/transformer_cost.hpp"

#include <cmath>

namespace cs {

namespace {
// Attention runs on the floating-point tensor cores: integer-quantized weights (W8A8, W4A16)
// still attend in bf16, while fp8 KV caches attend in fp8 (FlashAttention-3).
Dtype attention_dtype(Dtype compute) {
  return (compute == Dtype::kInt8 || compute == Dtype::kInt4) ? Dtype::kBf16 : compute;
}
}  // namespace

TransformerCost::TransformerCost(const TransformerSpec& model, const ModelPrecision& precision,
                                 const ParallelPlan& plan)
    : model_(model), precision_(precision), plan_(plan), params_(count_parameters(model)) {
  validate(model_);
  validate(plan_, model_);
  const double tp = plan_.tp;
  const double h = model_.hidden;
  const double kv_gpu = kv_heads_per_gpu(model_, plan_.tp) * model_.head_dim_or_default();
  // MLA: every projection split over tp (the down-projections are small); otherwise Q and O
  // split, K and V per KV head held.
  const double attention_matmul =
      model_.is_mla() ? params_.attention / tp : 2 * h * model_.q_dim() / tp + 2 * h * kv_gpu;
  const double attention_params =
      model_.is_mla() ? attention_matmul : attention_matmul + (model_.linear_bias ? (model_.q_dim() / tp + 2 * kv_gpu + h) : 0);
  f_.expert_per_gpu = params_.expert_ffn / tp;
  f_.routed_flops_per_token = model_.experts_per_token * f_.expert_per_gpu;
  f_.dense_flops_per_token = attention_matmul + f_.routed_flops_per_token + params_.router;
  f_.dense_weights = attention_params + params_.norms + params_.router;
  if (model_.shared_experts > 0 || model_.dense_layers > 0) {
    // DeepSeek style: the mean layer over the MoE layers (routed + shared experts, router) and
    // the dense ones (one FFN), so that layers x the mean is the sum.
    const double moe = double(model_.moe_layers()) / model_.layers;
    const double dense_ffn = (1 - moe) * params_.dense_ffn / tp;
    f_.routed_flops_per_token = moe * model_.experts_per_token * f_.expert_per_gpu;
    f_.dense_flops_per_token = attention_matmul + f_.routed_flops_per_token +
                               moe * (model_.shared_experts * f_.expert_per_gpu + params_.router) + dense_ffn;
    f_.dense_weights =
        attention_params + params_.norms + moe * (model_.shared_experts * f_.expert_per_gpu + params_.router) + dense_ffn;
    f_.routed_share = moe;
  }
  f_.activation_elements = activation_elements_per_token_layer();
  f_.attention_flops_per_pair = model_.is_mla()
                                    ? 2.0 * model_.heads * (2 * model_.head_dim_or_default() + model_.rope_head_dim) / tp
                                    : 4.0 * model_.q_dim() / plan_.tp;
  f_.kv_bytes = kv_bytes_per_token_layer_per_gpu();
  f_.vocab_per_gpu = double(model_.vocab) / plan_.tp;
  f_.lm_head_bytes = lm_head_bytes_or_shared();
  f_.weight_bytes = dtype_bytes(precision_.weights);
  f_.activation_bytes = dtype_bytes(precision_.activations);
  f_.attention_dtype = attention_dtype(precision_.compute);
}

double TransformerCost::activation_elements_per_token_layer() const {
  const double tp = plan_.tp;
  const double h = model_.hidden;
  const double q = model_.q_dim() / tp;
  const double kv = model_.is_mla() ? double(model_.kv_lora_rank + model_.rope_head_dim)
                                    : double(kv_heads_per_gpu(model_, plan_.tp)) * model_.head_dim_or_default();
  const double f = model_.ffn_hidden / tp;
  const double g = model_.ffn_kind == FfnKind::kSwiGlu ? 2 : 1;
  const double k = model_.experts_per_token;
  // Attention block: norm (read h, write h), QKV GEMM (read h, write q + 2kv), attention
  // (read q, write q), O GEMM (read q, write h), residual add (read 2h, write h).
  const double attention = 2 * h + (h + q + 2 * kv) + 2 * q + (q + h) + 3 * h;
  // FFN block per expert a token visits: up/gate GEMM (read h, write g*f), activation (read
  // g*f, write f), down GEMM (read f, write h); plus norm and residual once.
  const double ffn = 2 * h + k * ((h + g * f) + (g * f + f) + (f + h)) + 3 * h;
  if (model_.shared_experts == 0 && model_.dense_layers == 0) return attention + ffn;
  // DeepSeek style, the mean layer: MoE layers visit k + shared experts, dense ones one FFN.
  const double moe = double(model_.moe_layers()) / model_.layers;
  const double fd = model_.dense_ffn_hidden / tp;
  const double expert = (h + g * f) + (g * f + f) + (f + h);
  const double dense = (h + g * fd) + (g * fd + fd) + (fd + h);
  return attention + 2 * h + moe * (k + model_.shared_experts) * expert + (1 - moe) * dense + 3 * h;
}

double TransformerCost::touched_experts_per_gpu(double tokens) const {
  const double experts_here = double(model_.experts) / plan_.ep;
  if (!model_.is_moe()) return 1;
  // Uniform top-k routing: an expert is missed by one token with probability 1 - k/E; the ep
  // ranks' tokens all reach this GPU's experts.
  const double miss = 1.0 - double(model_.experts_per_token) / model_.experts;
  return experts_here * (1.0 - std::pow(miss, tokens * plan_.ep));
}

KernelWork TransformerCost::layer_dense_work(const IterationShape& s) const {
  const double T = s.new_tokens;
  KernelWork w;
  w.dtype = precision_.compute;
  w.flops = 2 * T * f_.dense_flops_per_token;
  // Expert parallelism: the layer waits on the EP rank whose experts drew the most tokens,
  // expert_skew x the mean (docs/COST_MODEL.md, "Mixture of experts").
  if (plan_.ep > 1 && plan_.expert_skew != 1) w.flops += 2 * T * (plan_.expert_skew - 1) * f_.routed_flops_per_token;
  const double weights =
      f_.dense_weights + (T > 0 ? f_.routed_share * touched_experts_per_gpu(T) * f_.expert_per_gpu : 0);
  w.bytes = weights * f_.weight_bytes + T * f_.activation_elements * f_.activation_bytes;
  w.launches = T > 0 ? kKernelsPerLayer + (model_.is_moe() ? 2 : 0) : 0;
  return w;
}

KernelWork TransformerCost::embedding_work(const IterationShape& s) const {
  KernelWork w;
  w.dtype = precision_.compute;
  w.bytes = s.new_tokens * model_.hidden * f_.weight_bytes;
  w.launches = s.new_tokens > 0 ? 1 : 0;
  return w;
}

KernelWork TransformerCost::lm_head_work(const IterationShape& s) const {
  KernelWork w;
  w.dtype = precision_.compute;
  w.flops = 2 * s.logit_tokens * f_.vocab_per_gpu * model_.hidden;
  if (s.logit_tokens > 0) w.bytes = f_.lm_head_bytes + s.logit_tokens * f_.vocab_per_gpu * kLogitBytes;
  w.launches = s.logit_tokens > 0 ? 1 : 0;
  return w;
}

double TransformerCost::lm_head_bytes_or_shared() const {
  return params_.output_projection / plan_.tp * dtype_bytes(precision_.weights);
}

double TransformerCost::forward_flops(const IterationShape& s) const {
  // Counted on one unsharded copy: with tp > kv_heads the K/V projections are replicated,
  // which is extra hardware work but not model FLOPs.
  if (plan_.tp > 1) return TransformerCost(model_, precision_).forward_flops(s);
  const double per_layer = layer_dense_work(s).flops + layer_attention_work(s).flops;
  return model_.layers * per_layer + lm_head_work(s).flops;
}

double TransformerCost::layer_weight_bytes_per_gpu() const {
  const double tp = plan_.tp;
  const double hd = model_.head_dim_or_default();
  const double kv_gpu = kv_heads_per_gpu(model_, plan_.tp) * hd;
  const double h = model_.hidden;
  const double attention =
      2 * h * model_.q_dim() / tp + 2 * h * kv_gpu + (model_.linear_bias ? model_.q_dim() / tp + 2 * kv_gpu + h : 0);
  const double experts = double(model_.experts) / plan_.ep * params_.expert_ffn / tp;
  if (model_.is_mla() || model_.shared_experts > 0 || model_.dense_layers > 0) {
    // The mean layer (the sum over layers / layers), as layer_dense_work reads it.
    const double moe = double(model_.moe_layers()) / model_.layers;
    const double attention_params = model_.is_mla() ? params_.attention / tp : attention;
    return (attention_params + moe * (experts + model_.shared_experts * f_.expert_per_gpu + params_.router) +
            (1 - moe) * params_.dense_ffn / tp + params_.norms) *
           dtype_bytes(precision_.weights);
  }
  return (attention + experts + params_.router + params_.norms) * dtype_bytes(precision_.weights);
}

double TransformerCost::embedding_bytes_per_gpu() const {
  return params_.embedding / plan_.tp * dtype_bytes(precision_.weights);
}

double TransformerCost::lm_head_bytes_per_gpu() const {
  // A tied head on a single stage is the embedding table itself; with pp > 1 the last stage
  // holds its own copy.
  if (model_.tied_embeddings && plan_.pp == 1) return 0;
  return lm_head_bytes_or_shared();
}

double TransformerCost::weights_bytes_total() const {
  return params_.total() * dtype_bytes(precision_.weights);
}

double TransformerCost::kv_bytes_per_token_layer_per_gpu() const {
  // MLA caches one latent and one rope key per token, which every TP rank keeps whole.
  if (model_.is_mla()) return double(model_.kv_lora_rank + model_.rope_head_dim) * dtype_bytes(precision_.kv_cache);
  return 2.0 * kv_heads_per_gpu(model_, plan_.tp) * model_.head_dim_or_default() * dtype_bytes(precision_.kv_cache);
}

double TransformerCost::tp_all_reduce_bytes(const IterationShape& s) const {
  return s.new_tokens * model_.hidden * dtype_bytes(precision_.activations);
}

double TransformerCost::pp_transfer_bytes(const IterationShape& s) const {
  return s.new_tokens * model_.hidden * dtype_bytes(precision_.activations);
}

double TransformerCost::ep_all_to_all_bytes(const IterationShape& s) const {
  if (!model_.is_moe()) return 0;
  return s.new_tokens * model_.experts_per_token * model_.hidden * dtype_bytes(precision_.activations);
}

double kv_cache_bytes_per_token(const TransformerSpec& model, Dtype kv_dtype) {
  if (model.is_mla()) return double(model.layers) * (model.kv_lora_rank + model.rope_head_dim) * dtype_bytes(kv_dtype);
  return 2.0 * model.layers * model.kv_heads * model.head_dim_or_default() * dtype_bytes(kv_dtype);
}

double forward_flops(const TransformerSpec& model, const IterationShape& shape) {
  return TransformerCost(model, precision_for(Dtype::kBf16)).forward_flops(shape);
}

double training_flops(const TransformerSpec& model, double tokens, double sequence_length, bool recompute_activations) {
  const double per_sequence = forward_flops(model, training_shape(1, sequence_length));
  const double passes = recompute_activations ? 4 : 3;
  return passes * per_sequence / sequence_length * tokens;
}

}  // namespace cs
