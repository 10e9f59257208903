#pragma once
// The limits and policies of one serving replica as an engine is configured (plain data; the
// scenario's pool `replica:` block and the engine profiles fill it, sim/serving reads it).
#include <cstdint>
#include <string_view>

namespace cs {

// How a replica forms each iteration's batch, named after the engine whose scheduler it
// follows (sim/serving/scheduler_modes.cpp has each policy and its source; docs/SCENARIOS.md).
enum class SchedulerMode : std::uint8_t {
  kVllmV0,                // prefill-only iterations pause decodes; padded token budget; KV watermark
  kVllmV1,                // decodes first, then prompts (chunked or whole) in the budget left (also SGLang)
  kTrtllmMaxUtilization,  // TensorRT-LLM in-flight batching, admits on current need, pauses when short
  kTrtllmNoEvict,         // TensorRT-LLM in-flight batching, admits only what it can finish
  kOrca,                  // Orca iteration-level batching: whole prompts beside decodes, max-token reservation
};
std::string_view scheduler_mode_name(SchedulerMode mode);

// What happens to the KV cache of a sequence preempted when the cache runs out.
enum class PreemptionMode : std::uint8_t {
  kRecompute,  // blocks freed; the sequence later prefills prompt + generated tokens again
  kSwap,       // blocks copied to host memory over PCIe and copied back when it resumes
};

struct ReplicaSpec {
  int gpus = 1;  // TP × PP: what the provider bills and what its capacity limit counts
  int max_num_seqs = 256;
  std::int64_t max_batched_tokens = 8192;
  SchedulerMode scheduler = SchedulerMode::kVllmV1;
  bool chunked_prefill = false;
  std::int64_t prefill_chunk_tokens = 0;  // per sequence and iteration; 0: only the token budget limits
  PreemptionMode preemption = PreemptionMode::kRecompute;
  // vllm_v0: share of the KV blocks kept free when admitting a prompt (vLLM's watermark, 1%),
  // so running sequences can grow a while before anything is preempted.
  double kv_watermark = 0.01;
  std::int64_t kv_block_tokens = 16;
  // Keep KV blocks of finished prompts that requests name by prefix ids for later requests
  // that start with the same ids (KvBlockAllocator); false: every prompt is computed whole.
  bool prefix_caching = false;
  double kv_bytes_per_token = 0;  // 2 · layers · kv_heads · head_dim · bytes, per GPU share summed
  double kv_cache_bytes = 0;      // memory left for the KV cache after weights and activations
  // Host-memory copy rate of the whole replica (each GPU over its own PCIe link; on a topology
  // the host links' shared rate of its GPUs) for swap preemption and the prefix cache's host
  // tier; 0: neither is available.
  double swap_bytes_per_s = 0;
  // Prefix caching's host tier: host DRAM for cached KV blocks evicted from the GPUs, bytes
  // per replica (0: none, evicted blocks are gone); and the layers a copy back is pipelined
  // over (those of one pipeline stage), which hides it behind the prefill (kv_host_copy.hpp).
  double host_cache_bytes = 0;
  int kv_layers = 0;
  // Weights that leave too little memory for the KV cache are streamed from host memory every
  // pass (plan_serving_streaming) instead of refusing the replica.
  bool weight_streaming = false;
  // Decode-only iterations priced together and scheduled as one event; 1 disables fusion.
  int max_fused_decode_steps = 64;
};

// KV blocks the spec gives: floor(kv_cache_bytes / (kv_block_tokens · kv_bytes_per_token)).
std::int64_t kv_cache_blocks(const ReplicaSpec& spec);
// Blocks of the host tier: floor(host_cache_bytes / (kv_block_tokens · kv_bytes_per_token)).
std::int64_t host_cache_blocks(const ReplicaSpec& spec);

}  // namespace cs
