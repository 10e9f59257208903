#include "sim/llm/weight_streaming.hpp"

#include <algorithm>
#include <cmath>

namespace cs {

namespace {
// What both plans start from: the fullest stage's layers, their bytes per GPU and the host rate.
StreamingPlan stage_of(const TransformerCost& cost, const GpuSpec& gpu, const StreamingOptions& options) {
  StreamingPlan plan;
  plan.stage_layers = stage_layout(cost.model(), cost.plan().pp).first_stage_layers;
  plan.layer_bytes_per_gpu = cost.layer_weight_bytes_per_gpu();
  plan.host_bandwidth_bytes_per_s =
      options.host_bandwidth_bytes_per_s > 0 ? options.host_bandwidth_bytes_per_s : gpu.host_link_bytes_per_s();
  return plan;
}
}  // namespace

StreamingPlan plan_weight_streaming(const TransformerCost& cost, const GpuSpec& gpu, const InferenceLoad& load,
                                    const MemoryOptions& memory, const StreamingOptions& options) {
  StreamingPlan plan = stage_of(cost, gpu, options);
  InferenceMemory full = inference_memory_per_gpu(cost, load, memory);
  plan.memory_per_gpu = full;
  if (full.total() <= gpu.memory_bytes) {  // everything fits: nothing to stream
    plan.resident_layers = plan.stage_layers;
    plan.feasible = true;
    return plan;
  }
  plan.buffer_bytes = options.prefetch_buffers * plan.layer_bytes_per_gpu;

  // Everything but the layers' weights stays resident: embedding, LM head, KV, workspace.
  const double layers_bytes = plan.stage_layers * plan.layer_bytes_per_gpu;
  const double fixed = full.total() - layers_bytes + plan.buffer_bytes;
  const double room = gpu.memory_bytes - fixed;
  plan.feasible = room >= 0;
  plan.resident_layers =
      plan.feasible ? std::min(plan.stage_layers, int(std::floor(room / plan.layer_bytes_per_gpu))) : 0;
  plan.streamed_layers = plan.stage_layers - plan.resident_layers;
  plan.memory_per_gpu.weights_bytes += plan.buffer_bytes - plan.streamed_layers * plan.layer_bytes_per_gpu;
  return plan;
}

StreamingPlan plan_serving_streaming(const TransformerCost& cost, const GpuSpec& gpu, const KvSizing& sizing,
                                     double max_batched_tokens, double max_sequences, double kv_tokens,
                                     const StreamingOptions& options) {
  StreamingPlan plan = stage_of(cost, gpu, options);
  const KvBudgetPerGpu full =
      kv_cache_budget_per_gpu(cost, gpu.memory_bytes, sizing, max_batched_tokens, max_sequences);
  const double need = kv_tokens * cost.kv_bytes_per_token_layer_per_gpu() * plan.stage_layers;
  const double layer = plan.layer_bytes_per_gpu;
  plan.memory_per_gpu = {full.weights_bytes, full.kv_cache_bytes, full.activation_bytes + full.runtime_bytes};
  plan.resident_layers = plan.stage_layers;
  plan.feasible = full.kv_cache_bytes >= need;
  if (plan.feasible) return plan;  // the budget holds the KV cache asked for: nothing to stream

  plan.buffer_bytes = options.prefetch_buffers * layer;
  const double other_weights = full.weights_bytes - plan.stage_layers * layer;  // embedding, LM head
  const double held = other_weights + plan.buffer_bytes + plan.memory_per_gpu.workspace_bytes;
  // Bytes the layers may take with `need` left for the KV cache, under the engine's budget rule.
  const double room = sizing.budget == KvBudget::kTotalFraction ? sizing.fraction * gpu.memory_bytes - need - held
                                                                : gpu.memory_bytes - need / sizing.fraction - held;
  plan.feasible = room >= 0;
  plan.resident_layers = plan.feasible ? std::min(plan.stage_layers, int(std::floor(room / layer))) : 0;
  plan.streamed_layers = plan.stage_layers - plan.resident_layers;
  const double weights = other_weights + plan.resident_layers * layer + plan.buffer_bytes;
  const double others = weights + plan.memory_per_gpu.workspace_bytes;
  plan.memory_per_gpu.weights_bytes = weights;
  plan.memory_per_gpu.kv_cache_bytes = sizing.budget == KvBudget::kTotalFraction
                                           ? sizing.fraction * gpu.memory_bytes - others
                                           : sizing.fraction * (gpu.memory_bytes - others);
  return plan;
}

double cold_start_seconds(double weights_bytes_total, int gpus, double storage_bytes_per_s, const GpuSpec& gpu) {
  const double from_storage = weights_bytes_total / storage_bytes_per_s;
  const double over_pcie = weights_bytes_total / gpus / gpu.host_link_bytes_per_s();
  return std::max(from_storage, over_pcie);
}

}  // namespace cs
