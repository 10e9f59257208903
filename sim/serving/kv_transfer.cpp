#include "sim/serving/kv_transfer.hpp"

#include <algorithm>
#include <stdexcept>

namespace cs {

std::string_view kv_transfer_mode_name(KvTransferMode mode) {
  switch (mode) {
    case KvTransferMode::kLayerwise:
      return "layerwise";
    case KvTransferMode::kAfterPrefill:
      return "after_prefill";
  }
  return "unknown";
}

std::string_view decode_routing_name(DecodeRouting routing) {
  switch (routing) {
    case DecodeRouting::kLeastKvLoad:
      return "least_kv_load";
    case DecodeRouting::kLocality:
      return "locality";
  }
  return "unknown";
}

std::vector<KvShard> kv_shards(int tp_from, int tp_to) {
  if (tp_from < 1 || tp_to < 1) throw std::invalid_argument("kv_shards: TP sizes must be at least 1");
  // Heads in units of 1/(tp_from·tp_to): rank i holds [i·tp_to, (i+1)·tp_to), rank j
  // [j·tp_from, (j+1)·tp_from); integer overlaps, so the fractions add to exactly 1.
  const double unit = 1.0 / (static_cast<double>(tp_from) * tp_to);
  std::vector<KvShard> out;
  for (int i = 0; i < tp_from; ++i)
    for (int j = 0; j < tp_to; ++j) {
      const int lo = std::max(i * tp_to, j * tp_from);
      const int hi = std::min((i + 1) * tp_to, (j + 1) * tp_from);
      if (hi > lo) out.push_back({i, j, (hi - lo) * unit});
    }
  return out;
}

double kv_bytes_left_at_prefill_end(KvTransferMode mode, double bytes, int layers, Time prefill,
                                    double rate_bytes_per_s) {
  if (mode == KvTransferMode::kAfterPrefill || layers < 1) return bytes;
  const double per_layer = bytes / layers;
  const double earlier = per_layer * (layers - 1);
  const double layer_s = prefill.seconds() / layers;
  const double sent = std::min(earlier, rate_bytes_per_s * layer_s * (layers - 1));
  return bytes - sent;
}

}  // namespace cs
