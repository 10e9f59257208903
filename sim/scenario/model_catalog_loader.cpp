#include "sim/scenario/model_catalog_loader.hpp"

#include <algorithm>
#include <vector>

#include "sim/scenario/catalog_entries_reader.hpp"

namespace cs {

TransformerSpec read_transformer_spec(MapReader r, const std::string& name) {
  constexpr int kBig = 1 << 30;
  TransformerSpec m;
  m.name = name;
  m.display_name = r.string_or("display_name", name);
  r.optional("aliases");  // read by read_model_catalog
  m.layers = read_size(r, "layers", 1, 100'000);
  m.hidden = read_size(r, "hidden", 1, kBig);
  m.heads = read_size(r, "heads", 1, kBig);
  m.kv_heads = read_size_or(r, "kv_heads", m.heads, 1, m.heads);
  m.head_dim = read_size_or(r, "head_dim", 0, 0, kBig);
  m.ffn_hidden = read_size(r, "ffn_hidden", 1, kBig);
  m.ffn_kind = r.choice<FfnKind>("ffn", {{"gelu", FfnKind::kGelu}, {"swiglu", FfnKind::kSwiGlu}});
  m.norm_kind = r.choice_or<NormKind>("norm", {{"layernorm", NormKind::kLayerNorm}, {"rmsnorm", NormKind::kRmsNorm}},
                                      NormKind::kRmsNorm);
  m.vocab = read_size(r, "vocab", 1, kBig);
  m.max_context = read_size(r, "max_context", 1, kBig);
  m.experts = read_size_or(r, "experts", 1, 1, 100'000);
  m.experts_per_token = read_size_or(r, "experts_per_token", 1, 1, m.experts);
  m.shared_experts = read_size_or(r, "shared_experts", 0, 0, 100'000);
  m.dense_layers = read_size_or(r, "dense_layers", 0, 0, m.layers - 1);
  m.dense_ffn_hidden = read_size_or(r, "dense_ffn_hidden", 0, 0, kBig);
  m.kv_lora_rank = read_size_or(r, "kv_lora_rank", 0, 0, kBig);
  m.q_lora_rank = read_size_or(r, "q_lora_rank", 0, 0, kBig);
  m.rope_head_dim = read_size_or(r, "rope_head_dim", 0, 0, kBig);
  m.tied_embeddings = r.boolean_or("tied_embeddings", false);
  m.learned_positions = r.boolean_or("learned_positions", false);
  m.linear_bias = r.boolean_or("linear_bias", false);
  m.parallel_attention_ffn = r.boolean_or("parallel_attention_ffn", false);
  m.published_params = r.quantity_or("published_params", Dimension::kCount, 0);
  m.source = r.string("source");
  r.finish();
  validate_at(r, m);
  return m;
}

void read_model_catalog(MapReader& root, ModelCatalog& catalog) {
  read_catalog_entries(root, "models", catalog, read_transformer_spec);
}

ModelCatalog load_model_catalog(const std::filesystem::path& dir_or_file) {
  ModelCatalog catalog;
  read_catalog_files(dir_or_file, [&](MapReader& r) { read_model_catalog(r, catalog); });
  return catalog;
}

std::filesystem::path model_catalog_dir(const std::filesystem::path& dir) {
  return dir / "models";
}

}  // namespace cs
