#include "sim/llm/transformer_spec.hpp"

#include <stdexcept>

namespace cs {

std::string_view ffn_kind_name(FfnKind k) {
  switch (k) {
    case FfnKind::kGelu:
      return "gelu";
    case FfnKind::kSwiGlu:
      return "swiglu";
  }
  return "?";
}

double ParameterCount::total() const {
  const double dense = dense_layers > 0 ? dense_layers * dense_layer() : 0;
  return embedding + lm_head + (layers - dense_layers) * per_layer() + dense + final_norm;
}

double ParameterCount::active() const {
  const double dense = dense_layers > 0 ? dense_layers * dense_layer() : 0;
  return embedding + lm_head + final_norm +
         (layers - dense_layers) * (attention + (experts_per_token + shared_experts) * expert_ffn + router + norms) +
         dense;
}

double ParameterCount::active_matmul() const {
  const double dense = dense_layers > 0 ? dense_layers * (attention + dense_ffn) : 0;
  return (layers - dense_layers) * (attention + (experts_per_token + shared_experts) * expert_ffn + router) + dense +
         output_projection;
}

double mla_attention_parameters(const TransformerSpec& m) {
  // DeepSeek-V2 (arXiv:2405.04434) Section 2.1.2: queries down to q_lora_rank (+ its norm) and
  // up to heads x (head_dim + rope); the hidden state down to the latent plus the shared rope
  // key (+ the latent's norm); the latent up to every head's key and value; the output
  // projection from heads x head_dim.
  const double h = m.hidden, heads = m.heads, d = m.head_dim_or_default(), rope = m.rope_head_dim;
  const double latent = m.kv_lora_rank;
  const double query = m.q_lora_rank > 0 ? h * m.q_lora_rank + m.q_lora_rank + m.q_lora_rank * heads * (d + rope)
                                         : h * heads * (d + rope);
  return query + h * (latent + rope) + latent + latent * heads * 2 * d + heads * d * h;
}

ParameterCount count_parameters(const TransformerSpec& m) {
  const double h = m.hidden;
  const double q = m.q_dim();
  const double kv = m.kv_dim();
  const double f = m.ffn_hidden;
  const double norm_size = m.norm_kind == NormKind::kLayerNorm ? 2 * h : h;

  ParameterCount c;
  c.layers = m.layers;
  c.experts = m.experts;
  c.experts_per_token = m.experts_per_token;
  c.shared_experts = m.shared_experts;
  c.dense_layers = m.dense_layers;
  c.embedding = double(m.vocab) * h + (m.learned_positions ? double(m.max_context) * h : 0);
  c.output_projection = double(m.vocab) * h;
  c.lm_head = m.tied_embeddings ? 0 : c.output_projection;
  c.attention = m.is_mla() ? mla_attention_parameters(m) : h * q + 2 * h * kv + q * h + (m.linear_bias ? q + 2 * kv + h : 0);
  const double matrices = m.ffn_kind == FfnKind::kSwiGlu ? 3 : 2;
  const double ffn_bias = m.ffn_kind == FfnKind::kSwiGlu ? 2 * f + h : f + h;
  c.expert_ffn = matrices * h * f + (m.linear_bias ? ffn_bias : 0);
  c.dense_ffn = m.dense_layers > 0 ? matrices * h * m.dense_ffn_hidden : 0;
  c.router = m.experts > 1 ? h * m.experts : 0;
  c.norms = (m.parallel_attention_ffn ? 1 : 2) * norm_size;
  c.final_norm = norm_size;
  return c;
}

namespace {
void require(bool ok, const TransformerSpec& m, const std::string& what) {
  if (!ok) throw std::invalid_argument("model '" + m.name + "': " + what);
}
}  // namespace

void validate(const TransformerSpec& m) {
  require(!m.name.empty(), m, "name is empty");
  require(m.layers > 0 && m.hidden > 0 && m.heads > 0 && m.ffn_hidden > 0 && m.vocab > 0, m,
          "layers, hidden, heads, ffn_hidden and vocab must be positive");
  require(m.kv_heads > 0 && m.kv_heads <= m.heads && m.heads % m.kv_heads == 0, m, "kv_heads must divide heads");
  require(m.head_dim > 0 || m.hidden % m.heads == 0, m, "hidden must be divisible by heads unless head_dim is given");
  require(m.max_context > 0, m, "max_context must be positive");
  require(m.experts >= 1 && m.experts_per_token >= 1 && m.experts_per_token <= m.experts, m,
          "need 1 <= experts_per_token <= experts");
  require(m.shared_experts >= 0 && m.dense_layers >= 0 && m.dense_layers < m.layers, m,
          "shared_experts and dense_layers must be >= 0, with fewer dense layers than layers");
  require((m.shared_experts == 0 && m.dense_layers == 0) || m.is_moe(), m,
          "shared_experts and dense_layers describe an MoE model (experts > 1)");
  require(m.dense_layers == 0 || m.dense_ffn_hidden > 0, m, "dense_layers need dense_ffn_hidden");
  require(m.kv_lora_rank >= 0 && m.q_lora_rank >= 0 && m.rope_head_dim >= 0, m, "MLA ranks must be >= 0");
  require(m.kv_lora_rank > 0 || (m.q_lora_rank == 0 && m.rope_head_dim == 0), m,
          "q_lora_rank and rope_head_dim belong to multi-head latent attention (kv_lora_rank > 0)");
}

}  // namespace cs
