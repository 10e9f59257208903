#pragma once
// YAML -> ServingPoolSpec (docs/SCENARIOS.md, `serving:`):
//
//   serving:
//     name: chat
//     model: llama-2-70b          # from the model catalog (or the scenario's own `models:`)
//     gpu: h100-sxm               # from the GPU catalog (or the scenario's own `gpus:`)
//     dtype: bf16                 # serving recipe: bf16 | fp16 | fp8 | int8 | int4 ...
//     kv_dtype: fp8               # optional: the KV cache's own format
//     tp: 4
//     pp: 1
//     ep: 1                       # MoE: attention groups of tp GPUs whose experts are spread
//     expert_skew: 1.0            # MoE with ep > 1: busiest EP rank's routed tokens / mean
//     memory_utilization: 90%
//     engine: vllm                # configs/engines/<name>.yaml (default vllm): costs + replica defaults
//     replica: {max_num_seqs: 256, max_batched_tokens: 8192, chunked_prefill: true,
//               prefill_chunk_tokens: 0, kv_block_tokens: 16, max_fused_decode_steps: 64}
//     pool:
//       initial_replicas: 4
//       price: $2.50/h            # per GPU-hour, or provider: aws + option: spot, or owned: dgx-a100
//                                 # (sim/scenario/billing_reader.hpp)
//       router: least_outstanding | round_robin | join_shortest_queue | power_of_two
//       max_queued_requests: 1000000  # admission control bound (1 .. 10^8)
//       autoscaler:
//         target: {metric: queue_per_replica | utilization | ttft, value: 4 | 70% | 2 s,
//                  quantile: 0.99, window: 60 s}
//         period: 15 s
//         tolerance: 10%
//         provisioning: 5 min
//         weight_load_bandwidth: 2 GB/s   # weights over the storage path, or
//         weight_load: 90 s               # the load time itself
//         scale_up_cooldown: 0 s
//         scale_down_cooldown: 5 min
//         min_replicas: 1
//         max_replicas: 32
//         gpu_limit: 128                  # GPUs of this type the provider gives; 0: no limit
//     slo: {ttft: 2 s, tpot: 100 ms}
//
// or a list of such maps, one per pool, each with a unique `name:` and, where several pools
// serve the same model, a `share:` of that model's requests (70%, or any positive weight):
//
//   serving:
//     - {name: h100, model: llama-2-70b, gpu: h100-sxm, tp: 4, share: 70%, pool: {...}}
//     - {name: a100, model: llama-2-70b, gpu: a100-80gb-sxm, tp: 8, share: 30%, pool: {...}}
#include <vector>

#include "sim/cost/price_catalog.hpp"
#include "sim/hardware/gpu_catalog.hpp"
#include "sim/llm/model_catalog.hpp"
#include "sim/scenario/config_reader.hpp"
#include "sim/serving/serving_pool_spec.hpp"

namespace cs {

// A `replica:` block (a pool's, or an engine's defaults) over `spec`, key by key.
void read_replica_limits(MapReader r, ReplicaSpec& spec);
// A pool's admission bound when the scenario gives none: a million waiting requests (a few
// hundred MB), far past any queue a served pool recovers from.
constexpr std::int64_t kDefaultMaxQueuedRequests = 1'000'000;

// `in_list`: an item of the list form (name required, `share:` allowed). `prices`: the price
// catalog a pool's `provider:`/`owned:` names (null: bare prices only).
ServingPoolSpec read_serving(MapReader r, const GpuCatalog& gpus, const ModelCatalog& models, bool in_list = false,
                             const PriceCatalog* prices = nullptr);
// The list form: names unique, shares required where a model has several pools (the decode
// pool of a disaggregated deployment, named `decode_pool`, takes no share: it gets its
// requests from the prefill pool).
std::vector<ServingPoolSpec> read_serving_pools(const std::vector<ConfigItem>& items, const GpuCatalog& gpus,
                                                const ModelCatalog& models, const PriceCatalog* prices = nullptr,
                                                std::string_view decode_pool = {});

}  // namespace cs
