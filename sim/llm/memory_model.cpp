#include "sim/llm/memory_model.hpp"

#include <algorithm>
#include <stdexcept>

namespace cs {

namespace {
// Bytes of the stage holding the most weights: the first (layers + embedding) or the last
// (layers + LM head).
double fullest_stage_weight_bytes(const TransformerCost& cost) {
  const StageLayout layout = stage_layout(cost.model(), cost.plan().pp);
  const double layer = cost.layer_weight_bytes_per_gpu();
  if (cost.plan().pp == 1)
    return layout.first_stage_layers * layer + cost.embedding_bytes_per_gpu() + cost.lm_head_bytes_per_gpu();
  return std::max(layout.first_stage_layers * layer + cost.embedding_bytes_per_gpu(),
                  layout.last_stage_layers * layer + cost.lm_head_bytes_per_gpu());
}
}  // namespace

StageLayout stage_layout(const TransformerSpec& model, int pp) {
  // Balanced split: the first (layers % pp) stages take one layer more.
  StageLayout s;
  s.first_stage_layers = (model.layers + pp - 1) / pp;
  s.last_stage_layers = pp == 1 ? model.layers : model.layers / pp;
  return s;
}

double activation_peak_bytes(const TransformerCost& cost, double tokens, double sequences) {
  const TransformerSpec& m = cost.model();
  const double tp = cost.plan().tp;
  const double g = m.ffn_kind == FfnKind::kSwiGlu ? 2 : 1;
  const double attention = (m.q_dim() + 2.0 * m.kv_dim()) / tp + m.q_dim() / tp;
  const double ffn = m.experts_per_token * (g + 1) * m.ffn_hidden / tp;
  const double per_token = 2.0 * m.hidden + std::max(attention, ffn);
  const double logits = sequences * m.vocab * kLogitBytes;
  return tokens * per_token * dtype_bytes(cost.precision().activations) + logits;
}

double inference_workspace_bytes(const TransformerCost& cost, const InferenceLoad& load, const MemoryOptions& options) {
  return options.reserve_bytes + activation_peak_bytes(cost, load.batched_tokens, load.sequences);
}

KvBudgetPerGpu kv_cache_budget_per_gpu(const TransformerCost& cost, double gpu_memory_bytes, const KvSizing& sizing,
                                       double max_batched_tokens, double max_sequences) {
  KvBudgetPerGpu b;
  b.weights_bytes = fullest_stage_weight_bytes(cost);
  b.activation_bytes = activation_peak_bytes(cost, max_batched_tokens, max_sequences);
  b.runtime_bytes = sizing.runtime_bytes + sizing.cuda_graph_bytes;
  const double held = b.weights_bytes + b.activation_bytes + b.runtime_bytes;
  b.kv_cache_bytes = sizing.budget == KvBudget::kTotalFraction ? sizing.fraction * gpu_memory_bytes - held
                                                               : sizing.fraction * (gpu_memory_bytes - held);
  return b;
}

InferenceMemory inference_memory_per_gpu(const TransformerCost& cost, const InferenceLoad& load,
                                         const MemoryOptions& options) {
  InferenceMemory mem;
  mem.weights_bytes = fullest_stage_weight_bytes(cost);
  const int layers = stage_layout(cost.model(), cost.plan().pp).first_stage_layers;
  mem.kv_cache_bytes = load.sequences * load.context_tokens * cost.kv_bytes_per_token_layer_per_gpu() * layers;
  mem.workspace_bytes = inference_workspace_bytes(cost, load, options);
  return mem;
}

double parameters_per_gpu(const TransformerCost& cost) {
  return fullest_stage_weight_bytes(cost) / dtype_bytes(cost.precision().weights);
}

double expert_parameters_per_gpu(const TransformerCost& cost) {
  const TransformerSpec& m = cost.model();
  if (!m.is_moe()) return 0;
  const ParallelPlan& plan = cost.plan();
  return stage_layout(m, plan.pp).first_stage_layers * double(m.experts) / plan.ep * count_parameters(m).expert_ffn /
         plan.tp;
}

TrainingMemory training_memory_per_gpu(const TransformerCost& cost, const TrainingOptions& o) {
  if (o.zero_stage < 0 || o.zero_stage > 3)
    throw std::invalid_argument("ZeRO stage must be 0, 1, 2 or 3, not " + std::to_string(o.zero_stage));
  const TransformerSpec& m = cost.model();
  const ParallelPlan& plan = cost.plan();
  const double params = parameters_per_gpu(cost);
  const double w = dtype_bytes(cost.precision().weights);
  const double master = w < 4 ? 4 : 0;  // fp32 master weights when training in 16/8 bit
  const double dp = plan.dp;

  // Expert weights are replicated over only dp / ep ranks (their expert-data-parallel group),
  // so ZeRO shards them over that many.
  const double expert_params = expert_parameters_per_gpu(cost);
  auto per_gpu = [&](double bytes_per_param, bool sharded) {
    if (!sharded) return params * bytes_per_param;
    return (params - expert_params) * bytes_per_param / dp + expert_params * bytes_per_param / (dp / plan.ep);
  };

  TrainingMemory mem;
  const double g = o.gradient_bytes > 0 ? o.gradient_bytes : w;
  mem.weights_bytes = per_gpu(w, o.zero_stage >= 3) + params * o.weight_cache_bytes;
  mem.gradients_bytes = per_gpu(g, o.zero_stage >= 2);
  mem.optimizer_bytes = per_gpu(master + 8, o.zero_stage >= 1);

  const double s = o.sequence_length, b = o.micro_batch, h = m.hidden, t = plan.tp;
  const double scale = dtype_bytes(cost.precision().activations) / 2;  // formula is for 16 bit
  const double per_sbh = o.sequence_parallel ? 34 / t : 10 + 24 / t;
  const bool scores_kept = !o.flash_attention && !o.selective_recompute;
  const double full_layer = s * b * h * per_sbh + (scores_kept ? 5.0 * m.heads * s * s * b / t : 0);
  const double kept_layer = o.recompute_activations ? 2 * s * b * h / (o.sequence_parallel ? t : 1) : full_layer;
  const double stage_layers = stage_layout(m, plan.pp).first_stage_layers;
  const double pp = plan.pp;
  // 1F1B: the first stage holds up to pp micro-batches; interleaving adds (pp-1)/(pp v).
  const double in_flight = (o.micro_batches > 0 ? std::min(pp, o.micro_batches) : pp) *
                           (o.virtual_stages > 1 ? 1 + (pp - 1) / (pp * o.virtual_stages) : 1);
  double activations = kept_layer * stage_layers * in_flight;
  if (o.recompute_activations) activations += full_layer;  // the layer being recomputed
  mem.activations_bytes = activations * scale + s * b * m.vocab / t * kLogitBytes;
  return mem;
}

}  // namespace cs
