#pragma once
// A training run: FLOPs for a token budget, the plan it runs on, memory per GPU, and time at a
// given or a simulated model FLOPs utilization (MFU = model FLOPs / (time x peak), model FLOPs
// counting 3 forward passes per token whether or not activations are recomputed).
//
// Simulated MFU: one micro-batch on one TP group is timed with the roofline (backward = twice
// the forward's work, recomputation one forward more), plus the TP all-reduces (2 per layer
// forward, 2 backward, 2 more when recomputing) on the GPU link; pp stages with m micro-batches
// per iteration idle for the 1F1B bubble, iteration = (m + pp - 1) x stage time. The DP
// gradient reduction is assumed hidden behind the backward pass.
#include <optional>

#include "sim/hardware/gpu_spec.hpp"
#include "sim/llm/memory_model.hpp"

namespace cs {

struct TrainingQuery {
  double tokens = 0;
  int gpus = 1;
  int tp = 0;                // 0: the largest TP candidate inside the GPU's link domain
  int pp = 0;                // 0: the fewest stages whose memory fits (among those dividing the GPUs)
  double micro_batches = 0;  // per iteration; 0: 4 x pp
  TrainingOptions options;   // ZeRO stage 1 unless told otherwise
  TrainingQuery() { options.zero_stage = 1; }
  Dtype dtype = Dtype::kBf16;
  std::optional<double> mfu;  // given MFU overrides the simulated one
};

struct TrainingEstimate {
  ParallelPlan plan;
  double model_flops = 0;     // 3 forward passes per token
  double hardware_flops = 0;  // 4 with recomputation
  double mfu = 0;
  bool mfu_simulated = true;
  double seconds = 0;
  double gpu_hours = 0;
  TrainingMemory memory_per_gpu;
  double available_per_gpu = 0;
  bool fits = false;
};

TrainingEstimate estimate_training(const TransformerSpec& model, const GpuSpec& gpu, const TrainingQuery& query);

}  // namespace cs
