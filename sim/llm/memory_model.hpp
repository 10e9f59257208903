#pragma once
// GPU memory a model needs, per GPU of a plan, on the fullest pipeline stage.
//
// Serving: weights + KV cache (every resident sequence's context) + workspace (the largest
// iteration's activations and logits, plus a fixed reserve for the CUDA context, NCCL buffers,
// CUDA-graph pools and allocator slack).
// Training (mixed-precision Adam): per parameter 2 bytes bf16 weights + 2 bytes gradients +
// 12 bytes optimizer (fp32 master copy, momentum, variance) = 16 bytes, sharded by ZeRO over dp
// (stage 1: optimizer, 2: + gradients, 3: + weights; MoE expert weights over dp / ep, the
// ranks that hold the same experts); plus activations kept for the backward
// pass (Korthikanti et al. 2022, "Reducing Activation Recomputation in Large Transformer
// Models", 16-bit activations):
//   per layer and micro-batch  s*b*h*(10 + 24/t)     tensor parallel alone (norms, dropout and
//                                                     residuals replicated on every rank)
//                              s*b*h*34/t            with sequence parallelism (Megatron's default
//                                                     with TP: those parts split along s)
//                              + 5*a*s^2*b/t         attention scores, unless FlashAttention
//                                                     (dropped by selective recomputation: the
//                                                     core attention is recomputed instead)
//   with full recomputation    2*s*b*h (/t with SP)  only each layer's input
// With 1F1B the first stage holds min(pp, micro-batches) micro-batches of its L/pp layers (L
// layers' worth when there are at least pp); the interleaved schedule with v chunks per GPU
// holds (1 + (pp-1)/(pp*v)) times that (Korthikanti et al. 2022, Section 4.2.3).
#include "sim/hardware/gpu_spec.hpp"
#include "sim/llm/transformer_cost.hpp"

namespace cs {

struct InferenceLoad {
  double sequences = 1;       // sequences resident in the KV cache at once
  double context_tokens = 0;  // tokens each holds at the peak (input + output)
  double batched_tokens = 0;  // new tokens in the largest iteration (a full prefill batch)
};

struct MemoryOptions {
  double reserve_bytes = 2.0 * (1ull << 30);
};

struct InferenceMemory {
  double weights_bytes = 0;
  double kv_cache_bytes = 0;
  double workspace_bytes = 0;
  double total() const { return weights_bytes + kv_cache_bytes + workspace_bytes; }
};

// Layers on the fullest stage, and whether it also holds the embedding / LM head.
struct StageLayout {
  int first_stage_layers = 0;
  int last_stage_layers = 0;
};
StageLayout stage_layout(const TransformerSpec& model, int pp);

InferenceMemory inference_memory_per_gpu(const TransformerCost& cost, const InferenceLoad& load,
                                         const MemoryOptions& options = {});
// Workspace alone (activations of the largest iteration, logits, reserve).
double inference_workspace_bytes(const TransformerCost& cost, const InferenceLoad& load, const MemoryOptions& options);

struct TrainingOptions {
  int zero_stage = 0;  // 0-3
  bool recompute_activations = false;
  bool flash_attention = true;
  bool sequence_parallel = true;
  double sequence_length = 2048;
  double micro_batch = 1;  // sequences per micro-batch
  // Training-job recipes (sim/training); the defaults are the estimate's assumptions.
  bool selective_recompute = false;  // no s^2 attention scores kept
  double gradient_bytes = 0;         // per parameter in the gradient buffer; 0: the weight format
  int virtual_stages = 1;            // interleaved 1F1B chunks per GPU
  double micro_batches = 0;          // per pipeline per iteration; 0: at least pp
  // Extra bytes per parameter held beside the weights: Transformer Engine's fp8 training keeps
  // an fp8 copy of each weight and of its transpose between micro-batches (2 bytes).
  double weight_cache_bytes = 0;
};

struct TrainingMemory {
  double weights_bytes = 0;
  double gradients_bytes = 0;
  double optimizer_bytes = 0;
  double activations_bytes = 0;
  double total() const { return weights_bytes + gradients_bytes + optimizer_bytes + activations_bytes; }
};

// `cost` carries the plan and the training formats (weights = gradient format; an fp32
// master copy is added when weights are narrower than fp32).
TrainingMemory training_memory_per_gpu(const TransformerCost& cost, const TrainingOptions& options);

// Parameters one GPU holds on the fullest stage.
double parameters_per_gpu(const TransformerCost& cost);
// Of those, the MoE experts' (0 for a dense model): replicated over dp / ep ranks only.
double expert_parameters_per_gpu(const TransformerCost& cost);

}  // namespace cs
