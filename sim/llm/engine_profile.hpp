#pragma once
// What a serving engine adds to the roofline of its kernels: the fixed costs that dominate
// small batches (kernel dispatch on the host, gaps between kernels on the GPU, host work per
// iteration) and the efficiencies its kernels reach (GEMMs by tokens, attention by context,
// fp8). Filled from configs/engines/*.yaml by sim/scenario/engine_loader; docs/COST_MODEL.md
// ("Serving engines") gives every term and its source. A default-constructed profile is the
// bare roofline (no engine costs, the GPU's own efficiencies), which keeps the hand-computed
// tests of sim/llm exact.
#include <string>

namespace cs {

struct EngineProfile {
  std::string name = "roofline";

  // Host work per iteration, serial with the GPU (the next step cannot start before it):
  // scheduling, input preparation, sampling, detokenising, the Python of a PyTorch engine.
  double host_iteration_s = 0;
  // More host work for an iteration that prefills any prompt (or chunk): prompt inputs,
  // positions and attention metadata, the prefill's own code path.
  double host_prefill_s = 0;
  // More host work per sequence in the iteration (sampling and detokenising one token each).
  double host_sequence_s = 0;

  // Kernels. 0 kernels per layer: the transformer cost model's own count with the GPU's launch
  // overhead (the bare roofline).
  double kernels_per_layer = 0;
  // Kernels outside the layers per iteration: embedding, final norm, LM head, sampling.
  double kernels_per_iteration = 0;
  // GPU idle time between two dependent kernels (stream launch latency, or graph replay).
  double kernel_gap_s = 0;
  // Host time to dispatch one kernel when the step is not a CUDA graph. Dispatch runs ahead of
  // the GPU asynchronously, so a step takes the longer of its GPU time and its dispatch time.
  double kernel_dispatch_s = 0;
  // Decode-only steps of at most this many sequences replay a captured CUDA graph: no
  // per-kernel dispatch (0: the engine never uses graphs).
  int cuda_graph_max_sequences = 0;

  // GEMM efficiency by tokens in the step: compute efficiency x T / (T + half), tile
  // quantisation of skinny GEMMs (0: flat at the GPU's compute efficiency).
  double gemm_half_tokens = 0;
  // fp8 GEMMs reach this fraction of what bf16 GEMMs reach of their own peak (1: the same).
  double fp8_efficiency = 1;
  // Prefill attention (FlashAttention): fraction of the tensor-core peak at long context, and
  // the mean attended context at which it reaches half of that (0: the GPU's compute
  // efficiency, flat).
  double attention_efficiency = 0;
  double attention_half_context = 0;
  // Decode attention reads each (sequence, KV head) stream with a bounded number of thread
  // blocks: the step's KV bytes flow at most at this rate per stream (0: no limit; HBM only).
  double attention_stream_bytes_per_s = 0;

  bool bare() const { return kernels_per_layer == 0; }
};

// Throws std::invalid_argument naming the engine and the field for a negative cost, a
// fraction outside (0, 1] or a kernel count below 1 where kernels are modelled.
void validate(const EngineProfile& engine);

}  // namespace cs
