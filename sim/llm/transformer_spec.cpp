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
  return embedding + lm_head + layers * per_layer() + final_norm;
}

double ParameterCount::active() const {
  return embedding + lm_head + final_norm + layers * (attention + experts_per_token * expert_ffn + router + norms);
}

double ParameterCount::active_matmul() const {
  return layers * (attention + experts_per_token * expert_ffn + router) + output_projection;
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
  c.embedding = double(m.vocab) * h + (m.learned_positions ? double(m.max_context) * h : 0);
  c.output_projection = double(m.vocab) * h;
  c.lm_head = m.tied_embeddings ? 0 : c.output_projection;
  c.attention = h * q + 2 * h * kv + q * h + (m.linear_bias ? q + 2 * kv + h : 0);
  const double matrices = m.ffn_kind == FfnKind::kSwiGlu ? 3 : 2;
  const double ffn_bias = m.ffn_kind == FfnKind::kSwiGlu ? 2 * f + h : f + h;
  c.expert_ffn = matrices * h * f + (m.linear_bias ? ffn_bias : 0);
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
}

}  // namespace cs
