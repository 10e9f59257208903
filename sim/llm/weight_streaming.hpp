#pragma once
// Weight streaming: a model whose weights do not fit keeps as many layers resident as HBM
// allows and streams the rest from host memory (or NVMe) over PCIe every pass, one layer ahead
// of use into a rotating set of buffers. Copy and compute overlap, so a streamed layer costs
// max(its compute, its bytes / host-link bandwidth); a resident layer costs its compute.
// Each GPU of a TP group streams its own shard over its own PCIe link.
#include "sim/hardware/gpu_spec.hpp"
#include "sim/llm/memory_model.hpp"

namespace cs {

struct StreamingOptions {
  // Host-to-GPU rate per GPU; 0 means the GPU's PCIe link at its host-link efficiency.
  // A slower source (NVMe at ~7 GB/s per drive) is set here.
  double host_bandwidth_bytes_per_s = 0;
  int prefetch_buffers = 2;  // double buffering: one layer computing, one arriving
};

struct StreamingPlan {
  int stage_layers = 0;     // layers on the fullest stage
  int resident_layers = 0;  // of those, kept in HBM
  int streamed_layers = 0;  // of those, copied in on every pass
  double layer_bytes_per_gpu = 0;
  double host_bandwidth_bytes_per_s = 0;
  double buffer_bytes = 0;
  InferenceMemory memory_per_gpu;  // with only the resident layers and the buffers
  bool feasible = false;           // false when even the buffers, KV cache and workspace do not fit
};

StreamingPlan plan_weight_streaming(const TransformerCost& cost, const GpuSpec& gpu, const InferenceLoad& load,
                                    const MemoryOptions& memory = {}, const StreamingOptions& options = {});

// A serving engine's plan (`replica.weight_streaming`): when its KV-cache budget
// (kv_cache_budget_per_gpu, all layers resident) holds fewer than `kv_tokens` tokens, keep
// resident as many of the fullest stage's layers as leave the budget room for `kv_tokens`
// (vLLM refuses to start when one sequence of the model's context does not fit) beside the
// prefetch buffers, and stream the rest. memory_per_gpu then holds the resident weights and
// buffers, the KV cache the budget leaves (at least `kv_tokens`' worth) and the activation
// peak plus runtime as workspace; feasible is false when even all layers streamed leave too
// little. Nothing is streamed when the budget already holds `kv_tokens`.
StreamingPlan plan_serving_streaming(const TransformerCost& cost, const GpuSpec& gpu, const KvSizing& sizing,
                                     double max_batched_tokens, double max_sequences, double kv_tokens,
                                     const StreamingOptions& options = {});

// Cold start: time to put a replica's weights on its GPUs from storage whose aggregate
// bandwidth is `storage_bytes_per_s` (object store, NFS, local NVMe): the storage path and each
// GPU's PCIe link both limit it.
double cold_start_seconds(double weights_bytes_total, int gpus, double storage_bytes_per_s, const GpuSpec& gpu);

}  // namespace cs
