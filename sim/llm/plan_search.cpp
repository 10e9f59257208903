#include "sim/llm/plan_search.hpp"

#include <cstdio>

namespace cs {

std::string format_gib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GiB", bytes / double(1ull << 30));
  return buf;
}

std::string FitCheck::explain(const std::string& gpu_name) const {
  auto gib = [](double b) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", b / double(1ull << 30));
    return std::string(buf);
  };
  return "needs " + format_gib(needed_per_gpu.total()) + " per GPU (weights " + gib(needed_per_gpu.weights_bytes) +
         " + KV cache " + gib(needed_per_gpu.kv_cache_bytes) + " + workspace " + gib(needed_per_gpu.workspace_bytes) +
         ") but " + gpu_name + " has " + format_gib(available_per_gpu);
}

FitCheck check_inference_fit(const TransformerSpec& model, const GpuSpec& gpu, const ModelPrecision& precision,
                             const ParallelPlan& plan, const InferenceLoad& load, const MemoryOptions& memory) {
  FitCheck c;
  c.plan = plan;
  c.needed_per_gpu = inference_memory_per_gpu(TransformerCost(model, precision, plan), load, memory);
  c.available_per_gpu = gpu.memory_bytes;
  c.fits = c.needed_per_gpu.total() <= c.available_per_gpu;
  return c;
}

std::vector<int> tensor_parallel_candidates(const TransformerSpec& model, const GpuSpec& gpu) {
  std::vector<int> out;
  for (int tp = 1; tp <= gpu.tensor_parallel_domain(); tp *= 2)
    if (model.heads % tp == 0) out.push_back(tp);
  return out;
}

std::optional<ParallelPlan> smallest_inference_plan(const TransformerSpec& model, const GpuSpec& gpu,
                                                    const ModelPrecision& precision, const InferenceLoad& load,
                                                    const MemoryOptions& memory, int max_gpus) {
  const std::vector<int> tps = tensor_parallel_candidates(model, gpu);
  for (int tp : tps) {
    if (tp > max_gpus) break;
    ParallelPlan plan{tp, 1, 1, 1};
    if (check_inference_fit(model, gpu, precision, plan, load, memory).fits) return plan;
  }
  const int tp = tps.back();
  for (int pp = 2; pp <= model.layers && tp * pp <= max_gpus; ++pp) {
    ParallelPlan plan{tp, pp, 1, 1};
    if (check_inference_fit(model, gpu, precision, plan, load, memory).fits) return plan;
  }
  return std::nullopt;
}

std::string no_fit_message(const FitCheck& check, const TransformerSpec& model, const GpuSpec& gpu,
                           const std::optional<ParallelPlan>& suggestion) {
  std::string msg =
      "model '" + model.name + "' with plan " + check.plan.describe() + " " + check.explain(gpu.name) + "; ";
  if (suggestion)
    msg += "the smallest plan that fits is " + suggestion->describe() + " (" +
           std::to_string(suggestion->replica_gpus()) + " GPUs), or enable weight streaming";
  else
    msg += "no plan fits; enable weight streaming (weights in host memory, copied over PCIe)";
  return msg;
}

}  // namespace cs
