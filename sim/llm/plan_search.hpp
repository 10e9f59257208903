#pragma once
// Does a model fit a plan, and which is the smallest plan that does. The search grows tensor
// parallelism inside one NVLink domain first (1, 2, 4, 8 ... GPUs that divide the head count;
// over PCIe inside one server when the GPU has no link), because TP splits every layer and
// cuts latency; then it adds pipeline stages at the largest such TP, which only adds memory.
#include <optional>
#include <string>
#include <vector>

#include "sim/hardware/gpu_spec.hpp"
#include "sim/llm/memory_model.hpp"

namespace cs {

struct FitCheck {
  ParallelPlan plan;
  InferenceMemory needed_per_gpu;
  double available_per_gpu = 0;
  bool fits = false;
  // "needs 95.1 GiB per GPU (weights 68.9 + KV 20.0 + workspace 6.2) but h100-sxm has 80.0 GiB"
  std::string explain(const std::string& gpu_name) const;
};

FitCheck check_inference_fit(const TransformerSpec& model, const GpuSpec& gpu, const ModelPrecision& precision,
                             const ParallelPlan& plan, const InferenceLoad& load, const MemoryOptions& memory = {});

// The TP degrees tried, smallest first: powers of two dividing the head count, up to the GPU's
// tensor-parallel domain.
std::vector<int> tensor_parallel_candidates(const TransformerSpec& model, const GpuSpec& gpu);

// nullopt when no plan of at most max_gpus GPUs fits (weight streaming is then the way).
std::optional<ParallelPlan> smallest_inference_plan(const TransformerSpec& model, const GpuSpec& gpu,
                                                    const ModelPrecision& precision, const InferenceLoad& load,
                                                    const MemoryOptions& memory = {}, int max_gpus = 1024);

// The error text for a plan that does not fit: needed vs available per GPU, and the smallest
// plan that fits, or a pointer to weight streaming.
std::string no_fit_message(const FitCheck& check, const TransformerSpec& model, const GpuSpec& gpu,
                           const std::optional<ParallelPlan>& suggestion);

// "80.0 GiB"
std::string format_gib(double bytes);

}  // namespace cs
