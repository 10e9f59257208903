#pragma once
// Disaggregated prefill/decode (Splitwise, DistServe): what a deployment of a prefill pool
// and a decode pool says, and the physics of shipping a prompt's KV cache from the prefill
// replica that computed it to the decode replica that continues it. Plain data and pure
// functions; the flows themselves run on the run's Fabric (sim/simulation/kv_handoff.hpp).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "sim/engine/time.hpp"

namespace cs {

// When the KV leaves the prefill replica.
enum class KvTransferMode : std::uint8_t {
  kLayerwise,     // each layer's KV as soon as that layer is computed (DistServe, Splitwise):
                  // only what the link has not caught up with by the prefill's end is exposed
  kAfterPrefill,  // the whole prompt's KV once the prefill ends: all of it exposed
};
std::string_view kv_transfer_mode_name(KvTransferMode mode);

// Which ready decode replica receives a prefilled request.
enum class DecodeRouting : std::uint8_t {
  kLeastKvLoad,  // the smallest share of KV blocks in use or on their way in
  kLocality,     // the fewest network hops from the prefill replica (same node, then same leaf
                 // switch, ...), ties by KV load
};
std::string_view decode_routing_name(DecodeRouting routing);

// `disaggregation:` of a scenario: two pools of its `serving:` list by index.
struct DisaggregationSpec {
  std::size_t prefill_pool = 0;
  std::size_t decode_pool = 1;
  KvTransferMode transfer = KvTransferMode::kLayerwise;
  DecodeRouting routing = DecodeRouting::kLeastKvLoad;
};

// A share of one prompt's KV: from GPU `from` of the prefill replica's TP group to GPU `to` of
// the decode replica's, `fraction` of the bytes. Both sides split the KV heads contiguously
// over their TP ranks (Megatron's attention split), so rank i of a TP-a group holds heads
// [i/a, (i+1)/a) of the total and sends each decode rank the part of that range it holds.
struct KvShard {
  int from = 0;
  int to = 0;
  double fraction = 0;
};
std::vector<KvShard> kv_shards(int tp_from, int tp_to);

// Bytes of a shard still to send when the prefill ends, of `bytes` in all over `layers` layers
// computed in `prefill` at `rate_bytes_per_s` (the shard path's bottleneck). After the
// prefill: all of them. Layer-wise: layer k is computed at k·c (c = prefill / layers) and sent
// once computed, one layer after another; by the prefill's end layers 1..L−1 have gone if the
// link keeps pace (rate·c ≥ bytes/L), else the link has sent rate·(L−1)·c; the rest, at least
// the last layer's share, is left.
double kv_bytes_left_at_prefill_end(KvTransferMode mode, double bytes, int layers, Time prefill,
                                    double rate_bytes_per_s);

// One prompt's KV moved from a prefill replica to a decode replica (the KvHandoff's signal).
struct KvTransferRecord {
  std::uint64_t request = 0;
  std::uint32_t prefill_replica = 0;
  std::uint32_t decode_replica = 0;
  double bytes = 0;       // the prompt's whole KV cache
  double sent_after = 0;  // of which crossed the network after the prefill ended
  Time prefill_end;       // the prefill's last iteration ended (its first token)
  Time delivered;         // the last byte reached the decode replica
  Time exposed() const { return delivered - prefill_end; }  // what the request waited for it
};

}  // namespace cs
