#include "sim/scenario/engine_loader.hpp"

#include <algorithm>
#include <stdexcept>

#include "sim/scenario/serving_loader.hpp"
#include "sim/scenario/spec_refusal.hpp"
#include "sim/serving/serving_spec_checks.hpp"

namespace cs {

namespace {

std::string read_source(MapReader& r) {
  const ConfigNode* n = r.optional("source");
  if (!n) return "";
  if (!n->is_sequence()) return read_string(*n, r.path_of("source"));
  std::string joined;
  for (const ConfigItem& item : r.items("source"))
    joined += (joined.empty() ? "" : "\n") + read_string(item.node, item.path);
  return joined;
}

void read_host(MapReader r, EngineProfile& e) {
  e.host_iteration_s = r.duration_or("iteration", Time{}).seconds();
  e.host_prefill_s = r.duration_or("prefill", Time{}).seconds();
  e.host_sequence_s = r.duration_or("per_sequence", Time{}).seconds();
  r.finish();
}

void read_kernels(MapReader r, EngineProfile& e) {
  e.kernels_per_layer = r.number("per_layer");
  r.check_range("per_layer", e.kernels_per_layer, 1, 1000);
  e.kernels_per_iteration = r.number_or("per_iteration", 0);
  r.check_range("per_iteration", e.kernels_per_iteration, 0, 100'000);
  e.kernel_gap_s = r.duration_or("gap", Time{}).seconds();
  e.kernel_dispatch_s = r.duration_or("dispatch", Time{}).seconds();
  e.cuda_graph_max_sequences = static_cast<int>(r.integer_or("cuda_graph_max_sequences", 0));
  r.check_range("cuda_graph_max_sequences", e.cuda_graph_max_sequences, 0, 1'000'000);
  r.finish();
}

void read_gemm(MapReader r, EngineProfile& e) {
  e.gemm_half_tokens = r.number_or("half_tokens", 0);
  r.check_range("half_tokens", e.gemm_half_tokens, 0, 1e9);
  e.fp8_efficiency = r.quantity_or("fp8_efficiency", Dimension::kRatio, 1);
  if (!(e.fp8_efficiency > 0 && e.fp8_efficiency <= 1)) r.fail("fp8_efficiency", "must lie in (0, 100%]");
  r.finish();
}

void read_attention(MapReader r, EngineProfile& e) {
  e.attention_efficiency = r.quantity_or("efficiency", Dimension::kRatio, 0);
  if (!(e.attention_efficiency >= 0 && e.attention_efficiency <= 1)) r.fail("efficiency", "must lie in (0, 100%]");
  e.attention_half_context = r.number_or("half_context", 0);
  r.check_range("half_context", e.attention_half_context, 0, 1e9);
  e.attention_stream_bytes_per_s = r.quantity_or("stream_bandwidth", Dimension::kBandwidth, 0);
  r.check_range("stream_bandwidth", e.attention_stream_bytes_per_s, 0, 1e15);
  r.finish();
}

// Exactly one of the engines' own keys names the budget: vLLM's gpu_memory_utilization (a
// fraction of the whole GPU) or TensorRT-LLM's kv_cache_free_gpu_mem_fraction (of what is free).
KvSizing read_memory(MapReader r) {
  KvSizing k;
  constexpr const char* kTotal = "gpu_memory_utilization";
  constexpr const char* kFree = "kv_cache_free_gpu_mem_fraction";
  if (r.has(kTotal) == r.has(kFree))
    r.fail(r.has(kTotal) ? kFree : kTotal,
           std::string("name the KV-cache budget by exactly one of ") + kTotal + " and " + kFree);
  const char* key = r.has(kTotal) ? kTotal : kFree;
  k.budget = r.has(kTotal) ? KvBudget::kTotalFraction : KvBudget::kFreeFraction;
  k.fraction = r.quantity(key, Dimension::kRatio);
  if (!(k.fraction > 0 && k.fraction <= 1)) r.fail(key, "must lie in (0, 100%]");
  k.runtime_bytes = r.quantity_or("runtime", Dimension::kBytes, 0);
  r.check_range("runtime", k.runtime_bytes, 0, 1e13);
  k.cuda_graph_bytes = r.quantity_or("cuda_graphs", Dimension::kBytes, 0);
  r.check_range("cuda_graphs", k.cuda_graph_bytes, 0, 1e13);
  r.finish();
  return k;
}

bool is_file_name(const std::string& s) {
  const auto ends = [&](std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends(".yaml") || ends(".yml");
}

}  // namespace

ServingEngine read_engine(MapReader r) {
  ServingEngine engine;
  EngineProfile& e = engine.profile;
  e.name = r.string("name");
  r.string_or("description", "");
  engine.source = read_source(r);
  read_host(r.map("host", true), e);
  read_kernels(r.map("kernels"), e);
  read_gemm(r.map("gemm", true), e);
  read_attention(r.map("attention", true), e);
  read_replica_limits(r.map("replica", true), engine.replica);
  if (r.has("memory")) engine.kv_sizing = read_memory(r.map("memory"));
  r.finish();
  refuse(r.map("replica", true), validate(engine.replica));
  try {
    validate(e);
  } catch (const std::invalid_argument& err) {
    r.fail("kernels", err.what());
  }
  return engine;
}

std::vector<std::string> engine_names(const std::filesystem::path& config_dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(config_dir / "engines", ec))
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

ServingEngine load_engine(const std::string& name_or_file, const std::filesystem::path& config_dir) {
  if (name_or_file == kRooflineEngine) return ServingEngine{};
  std::filesystem::path file = name_or_file;
  if (!is_file_name(name_or_file)) {
    std::vector<std::string> names = engine_names(config_dir);
    names.insert(names.begin(), kRooflineEngine);
    if (std::find(names.begin(), names.end(), name_or_file) == names.end()) {
      std::string message = "unknown engine '" + name_or_file + "'; known: " + join_names(names) + " (in " +
                            (config_dir / "engines").string() + ")";
      const std::string hint = nearest_name(name_or_file, names);
      if (!hint.empty()) message += "; did you mean '" + hint + "'?";
      throw std::invalid_argument(message);
    }
    file = config_dir / "engines" / (name_or_file + ".yaml");
  }
  const ConfigNode root = load_config_file(file);
  return read_engine(MapReader(root, ""));
}

}  // namespace cs
