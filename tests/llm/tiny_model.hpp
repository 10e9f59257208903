#pragma once
// A transformer small enough to count by hand: 2 layers, h = 8, 2 query heads and 1 KV head of
// 4, SwiGLU FFN of 16, vocabulary 10, untied, RMSNorm.
//   attention  h*q + 2*h*kv + q*h = 64 + 64 + 64 = 192
//   FFN        3 * h * f = 384;  norms 2 * h = 16;  per layer 592
//   embedding 80, LM head 80, final norm 8;  total 2 * 592 + 168 = 1352
#include "sim/llm/transformer_spec.hpp"

namespace cs::testing {

inline TransformerSpec tiny_model() {
  TransformerSpec m;
  m.name = "tiny";
  m.layers = 2;
  m.hidden = 8;
  m.heads = 2;
  m.kv_heads = 1;
  m.ffn_hidden = 16;
  m.ffn_kind = FfnKind::kSwiGlu;
  m.vocab = 10;
  m.max_context = 64;
  m.source = "hand-made";
  return m;
}

}  // namespace cs::testing
