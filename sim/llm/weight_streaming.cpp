#include "sim/llm/weight_streaming.hpp"

#include <algorithm>
#include <cmath>

namespace cs {

StreamingPlan plan_weight_streaming(const TransformerCost& cost, const GpuSpec& gpu, const InferenceLoad& load,
                                    const MemoryOptions& memory, const StreamingOptions& options) {
  StreamingPlan plan;
  const StageLayout layout = stage_layout(cost.model(), cost.plan().pp);
  plan.stage_layers = layout.first_stage_layers;
  plan.layer_bytes_per_gpu = cost.layer_weight_bytes_per_gpu();
  plan.host_bandwidth_bytes_per_s =
      options.host_bandwidth_bytes_per_s > 0 ? options.host_bandwidth_bytes_per_s : gpu.host_link_bytes_per_s();
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

double cold_start_seconds(double weights_bytes_total, int gpus, double storage_bytes_per_s, const GpuSpec& gpu) {
  const double from_storage = weights_bytes_total / storage_bytes_per_s;
  const double over_pcie = weights_bytes_total / gpus / gpu.host_link_bytes_per_s();
  return std::max(from_storage, over_pcie);
}

}  // namespace cs
