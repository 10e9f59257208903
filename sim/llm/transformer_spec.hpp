#pragma once
// A decoder-only transformer's architecture, enough to count its parameters, FLOPs, bytes and
// memory from first principles. Filled from configs/models/*.yaml by
// sim/scenario/model_catalog_loader, or by hand in tests.
#include <string>
#include <string_view>

namespace cs {

enum class FfnKind {
  kGelu,    // two matrices: up (h x f), down (f x h)
  kSwiGlu,  // three: gate and up (h x f each), down (f x h)
};
std::string_view ffn_kind_name(FfnKind k);

enum class NormKind {
  kLayerNorm,  // scale and bias: 2h parameters
  kRmsNorm,    // scale only: h
};

struct TransformerSpec {
  std::string name;          // catalog key, "llama-2-70b"
  std::string display_name;  // "Llama 2 70B"
  int layers = 0;
  int hidden = 0;
  int heads = 0;
  int kv_heads = 0;    // < heads: grouped-query attention; 1: multi-query
  int head_dim = 0;    // 0: hidden / heads
  int ffn_hidden = 0;  // per expert
  FfnKind ffn_kind = FfnKind::kSwiGlu;
  NormKind norm_kind = NormKind::kRmsNorm;
  int vocab = 0;
  int max_context = 0;
  int experts = 1;                      // > 1: mixture of experts in every layer's FFN
  int experts_per_token = 1;            // top-k routing
  // DeepSeek-style MoE (0: none): experts every token visits besides its k routed ones, and
  // the first `dense_layers` layers with one dense FFN of `dense_ffn_hidden` instead of experts.
  int shared_experts = 0;
  int dense_layers = 0;
  int dense_ffn_hidden = 0;
  // Multi-head latent attention (DeepSeek-V2/V3; kv_lora_rank 0: off). K and V are cached as
  // one kv_lora_rank latent plus a rope_head_dim positional key per token and layer, shared by
  // all heads; queries are compressed to q_lora_rank first (0: projected directly). head_dim
  // is then the non-positional part of a query/key head and the value head size.
  int kv_lora_rank = 0;
  int q_lora_rank = 0;
  int rope_head_dim = 0;
  bool tied_embeddings = false;         // LM head reuses the input embedding matrix
  bool learned_positions = false;       // max_context x hidden position table (GPT-2/3)
  bool linear_bias = false;             // biases on the attention and FFN projections
  bool parallel_attention_ffn = false;  // GPT-J: one norm per layer feeds both blocks
  double published_params = 0;          // as reported by the authors, for the 2% check
  std::string source;

  int head_dim_or_default() const { return head_dim > 0 ? head_dim : hidden / heads; }
  int q_dim() const { return heads * head_dim_or_default(); }
  int kv_dim() const { return kv_heads * head_dim_or_default(); }
  bool is_moe() const { return experts > 1; }
  bool is_mla() const { return kv_lora_rank > 0; }
  int moe_layers() const { return is_moe() ? layers - dense_layers : 0; }
};

// Parameter counts by part, so that sharding (TP splits matrices, PP splits layers, EP splits
// experts) and MoE activity (k of E experts per token) can be applied to each part.
struct ParameterCount {
  double embedding = 0;   // token table (+ learned positions)
  double lm_head = 0;     // 0 when tied to the embedding
  double attention = 0;   // per layer: Q, K, V, O (+ biases)
  double expert_ffn = 0;  // per layer, one expert (routed or shared)
  double dense_ffn = 0;   // per dense layer of an MoE model (dense_layers of them)
  double router = 0;      // per layer
  double norms = 0;       // per layer
  double final_norm = 0;
  double output_projection = 0;  // vocab x hidden: the LM head matmul, whether tied or not
  int layers = 0;
  int experts = 1;
  int experts_per_token = 1;
  int shared_experts = 0;
  int dense_layers = 0;

  // An MoE layer (every layer of a dense model).
  double per_layer() const { return attention + (experts + shared_experts) * expert_ffn + router + norms; }
  double dense_layer() const { return attention + dense_ffn + norms; }
  double total() const;
  // Parameters a single token's forward pass multiplies with (k experts, not E).
  double active() const;
  // Matrix parameters a token multiplies with in its layers and the LM head: the 2*p of
  // "2 FLOPs per parameter per token" (embedding lookup and norms do no matmul).
  double active_matmul() const;
};

ParameterCount count_parameters(const TransformerSpec& model);
// One layer's attention parameters under multi-head latent attention (kv_lora_rank > 0).
double mla_attention_parameters(const TransformerSpec& model);

// Throws std::invalid_argument naming the model and field: positive sizes, heads divisible by
// kv_heads, experts_per_token <= experts.
void validate(const TransformerSpec& model);

}  // namespace cs
