#include "sim/serving/replica_spec.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace cs {

std::string_view scheduler_mode_name(SchedulerMode mode) {
  switch (mode) {
    case SchedulerMode::kVllmV0:
      return "vllm_v0";
    case SchedulerMode::kVllmV1:
      return "vllm_v1";
    case SchedulerMode::kTrtllmMaxUtilization:
      return "trtllm_max_utilization";
    case SchedulerMode::kTrtllmNoEvict:
      return "trtllm_no_evict";
    case SchedulerMode::kOrca:
      return "orca";
  }
  return "unknown";
}

std::int64_t kv_cache_blocks(const ReplicaSpec& spec) {
  if (spec.kv_block_tokens < 1) throw std::invalid_argument("kv_block_tokens must be at least 1");
  if (!(spec.kv_bytes_per_token > 0)) throw std::invalid_argument("kv_bytes_per_token must be positive");
  if (!(spec.kv_cache_bytes >= 0)) throw std::invalid_argument("kv_cache_bytes must not be negative");
  return static_cast<std::int64_t>(
      std::floor(spec.kv_cache_bytes / (static_cast<double>(spec.kv_block_tokens) * spec.kv_bytes_per_token)));
}

std::int64_t host_cache_blocks(const ReplicaSpec& spec) {
  if (!(spec.host_cache_bytes >= 0)) throw std::invalid_argument("host_cache must not be negative");
  if (spec.host_cache_bytes == 0) return 0;
  // Capped far above any host memory (2^40 blocks), so the count stays a safe integer.
  const double blocks = std::floor(spec.host_cache_bytes / (static_cast<double>(spec.kv_block_tokens) * spec.kv_bytes_per_token));
  return static_cast<std::int64_t>(std::min(blocks, 0x1p40));
}

}  // namespace cs
