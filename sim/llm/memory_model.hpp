#pragma once
// GPU memory a model needs, per GPU of a plan, on the fullest pipeline stage.
//
// Serving: weights + KV cache (every resident sequence's context) + workspace (the activation
// peak of the largest iteration, plus a reserve for the CUDA context, NCCL buffers, CUDA-graph
// pools and allocator slack). A serving engine sizes its KV cache the way it does at start-up
// (KvSizing, kv_cache_budget_per_gpu; docs/COST_MODEL.md, "KV-cache sizing").
// Training (mixed-precision Adam): per parameter 2 bytes bf16 weights + 2 bytes gradients +
// 12 bytes optimizer (fp32 master copy, momentum, variance) = 16 bytes, sharded by ZeRO over dp
// (stage 1: optimizer, 2: + gradients, 3: + weights); plus activations kept for the backward
// pass (Korthikanti et al. 2022, "Reducing Activation Recomputation in Large Transformer
// Models", 16-bit activations):
//   per layer and micro-batch  s*b*h*(10 + 24/t)     tensor parallel alone (norms, dropout and
//                                                     residuals replicated on every rank)
//                              s*b*h*34/t            with sequence parallelism (Megatron's default
//                                                     with TP: those parts split along s)
//                              + 5*a*s^2*b/t         attention scores, unless FlashAttention
//   with full recomputation    2*s*b*h (/t with SP)  only each layer's input
// With 1F1B the first stage holds pp micro-batches of its L/pp layers: L layers' worth.
#include <cstdint>

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
// Workspace alone (activation peak of the largest iteration + reserve).
double inference_workspace_bytes(const TransformerCost& cost, const InferenceLoad& load, const MemoryOptions& options);

// Activation peak per GPU of one forward pass of `tokens` new tokens in `sequences` sequences
// (what vLLM measures by profiling a forward of max_num_batched_tokens tokens, and what
// TensorRT sizes at build time for max_num_tokens). Layers run one after another and reuse
// their buffers, so the peak is one layer's widest point, for every token:
//   residual stream + its normalized copy                 2·hidden
//   + the wider of the attention block                    (q + 2·kv heads)·head_dim/tp  (QKV output)
//                                                         + heads·head_dim/tp           (attention output)
//     and the FFN block                                   k·(g + 1)·ffn/tp  (up/gate output and the
//                                                         activation's output; g = 2 for SwiGLU, k
//                                                         experts per token for a mixture of experts)
// in the activation format, FlashAttention-style attention holding no s² scores; plus the
// logits of each sequence's last token, gathered over TP to the whole vocabulary in fp32 for
// sampling.
double activation_peak_bytes(const TransformerCost& cost, double tokens, double sequences);

// How a serving engine budgets its KV cache at start-up.
enum class KvBudget : std::uint8_t {
  // vLLM, SGLang: fraction (gpu_memory_utilization) x the GPU's memory, less the weights, the
  // profiled activation peak and the memory outside the tensor allocator.
  kTotalFraction,
  // TensorRT-LLM: fraction (kv_cache_free_gpu_mem_fraction) x the memory still free once the
  // weights, the build-time activation buffers and the runtime are in.
  kFreeFraction,
};

struct KvSizing {
  KvBudget budget = KvBudget::kTotalFraction;
  double fraction = 0.9;
  // CUDA context, cuBLAS workspaces and NCCL buffers: memory outside the tensor allocator
  // (vLLM's "non-torch memory"), per GPU.
  double runtime_bytes = 0;
  // CUDA-graph memory pool per GPU, where the engine counts it before sizing the KV cache.
  double cuda_graph_bytes = 0;
};

// Per GPU of the fullest stage: what an engine holds before its KV cache, and the KV cache.
struct KvBudgetPerGpu {
  double weights_bytes = 0;
  double activation_bytes = 0;
  double runtime_bytes = 0;   // runtime + CUDA graphs
  double kv_cache_bytes = 0;  // may be negative: nothing fits
};
// `max_batched_tokens`, `max_sequences`: the largest forward pass the engine admits.
KvBudgetPerGpu kv_cache_budget_per_gpu(const TransformerCost& cost, double gpu_memory_bytes, const KvSizing& sizing,
                                       double max_batched_tokens, double max_sequences);

struct TrainingOptions {
  int zero_stage = 0;  // 0-3
  bool recompute_activations = false;
  bool flash_attention = true;
  bool sequence_parallel = true;
  double sequence_length = 2048;
  double micro_batch = 1;  // sequences per micro-batch
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

}  // namespace cs
