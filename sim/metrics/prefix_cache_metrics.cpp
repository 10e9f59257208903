#include "sim/metrics/prefix_cache_metrics.hpp"

#include <cstdint>
#include <limits>
#include <map>

namespace cs {

namespace {
constexpr OutputKey kSummary[] = {
    {"prefix_cache_hit_rate", "1",
     "prompt tokens found in a replica's prefix cache at admission / prompt tokens admitted (NaN: none admitted)"},
    {"prefill_tokens_saved", "1", "prompt tokens whose prefill a prefix-cache hit skipped"},
    {"prefix_cache_evicted_blocks", "1", "cached KV blocks evicted from GPU memory to make room (into the host tier if any), all replicas"},
};
constexpr OutputKey kSeries[] = {
    {"kv_blocks_cached", "1", "KV blocks of ready and draining replicas cached for reuse that no request holds (evictable)"},
    {"kv_blocks_free", "1", "KV blocks of ready and draining replicas neither held nor cached"},
};
constexpr OutputKey kHostSummary[] = {
    {"prefix_cache_gpu_hit_rate", "1", "prompt tokens found cached in GPU memory at admission / prompt tokens admitted"},
    {"prefix_cache_host_hit_rate", "1", "prompt tokens found in the host tier at admission / prompt tokens admitted"},
    {"prefill_tokens_saved_host", "1", "prompt tokens whose prefill a host-tier hit skipped (in prefill_tokens_saved)"},
    {"host_cache_blocks", "1", "replica.host_cache: KV blocks one replica's host tier holds"},
    {"host_cache_offloaded_blocks", "1", "cached KV blocks evicted from GPU memory into the host tier, all replicas"},
    {"host_cache_loaded_blocks", "1", "KV blocks copied back from the host tier by prefix hits, all replicas"},
    {"host_cache_evicted_blocks", "1", "KV blocks dropped from the host tier at its capacity, all replicas"},
    {"host_cache_load_bytes", "bytes", "KV bytes copied host -> GPU by host-tier hits, all replicas"},
    {"host_cache_load_s", "s", "host -> GPU link time of those copies (bytes / the replica's host link rate), summed"},
    {"host_cache_load_exposed_s", "s", "part of host_cache_load_s the layer-wise overlap left on the iterations, summed"},
    {"host_cache_offload_s", "s", "GPU -> host link time of the offloads (hidden behind compute), summed"},
};
constexpr OutputKey kHostSeries[] = {
    {"kv_blocks_host", "1", "KV blocks in the host tiers of ready and draining replicas"},
    {"kv_bytes_host", "bytes", "KV bytes in the host tiers of ready and draining replicas"},
};
}  // namespace

const OutputKeyTable& PrefixCacheMetrics::output_keys() {
  static constexpr OutputKeyTable kTable{"prefix cache", kSummary, kSeries};
  return kTable;
}

const OutputKeyTable& PrefixCacheMetrics::host_tier_output_keys() {
  static constexpr OutputKeyTable kTable{"prefix cache host tier", kHostSummary, kHostSeries};
  return kTable;
}

PrefixCacheMetrics::PrefixCacheMetrics(const RequestRouter& router, TimelineSampler& sampler, const ReplicaSpec& spec)
    : router_(router),
      host_blocks_(host_cache_blocks(spec)),
      block_bytes_(static_cast<double>(spec.kv_block_tokens) * spec.kv_bytes_per_token) {
  sampler.declare(output_keys());
  sampler.add_gauge("kv_blocks_cached", [this] { return sum_serving(&Replica::kv_blocks_cached); });
  sampler.add_gauge("kv_blocks_free", [this] { return sum_serving(&Replica::kv_blocks_free); });
  if (host_blocks_ == 0) return;
  sampler.declare(host_tier_output_keys());
  sampler.add_gauge("kv_blocks_host", [this] { return sum_serving(&Replica::kv_blocks_host); });
  sampler.add_gauge("kv_bytes_host", [this] { return sum_serving(&Replica::kv_blocks_host) * block_bytes_; });
}

double PrefixCacheMetrics::sum_serving(std::int64_t (Replica::*read)() const) const {
  double n = 0;
  for (const auto& r : router_.replicas())
    if (r->state() == ReplicaState::kReady || r->state() == ReplicaState::kDraining)
      n += static_cast<double>(((*r).*read)());
  return n;
}

void PrefixCacheMetrics::write_summary(RunFile& out, const std::string& prefix) const {
  std::uint64_t looked_up = 0, hit = 0;
  std::int64_t evicted = 0;
  // Stopped replicas keep their counters: every replica the pool ever had counts.
  for (const auto& r : router_.replicas()) {
    looked_up += r->prefix_lookup_tokens();
    hit += r->prefix_hit_tokens();
    evicted += r->kv_blocks_evicted();
  }
  out.declare_summary(output_keys(), prefix);
  out.summary(prefix + "prefix_cache_hit_rate", looked_up > 0 ? static_cast<double>(hit) / static_cast<double>(looked_up)
                                                              : std::numeric_limits<double>::quiet_NaN());
  out.summary(prefix + "prefill_tokens_saved", static_cast<std::int64_t>(hit));
  out.summary(prefix + "prefix_cache_evicted_blocks", evicted);
  if (host_blocks_ > 0) write_host_tier_summary(out, prefix, looked_up, hit);
}

void PrefixCacheMetrics::write_host_tier_summary(RunFile& out, const std::string& prefix, std::uint64_t looked_up,
                                                 std::uint64_t hit) const {
  std::uint64_t host_hit = 0;
  std::int64_t offloaded = 0, loaded = 0, dropped = 0;
  double load_s = 0, exposed_s = 0;
  // Offloaded blocks by the replica's host-copy rate (on a topology it depends on where the
  // replica sits; without one every replica has the same).
  std::map<double, std::int64_t> offloaded_at;
  for (const auto& r : router_.replicas()) {
    host_hit += r->prefix_host_hit_tokens();
    offloaded_at[r->spec().swap_bytes_per_s] += r->kv_blocks_offloaded();
    offloaded += r->kv_blocks_offloaded();
    loaded += r->kv_blocks_host_loaded();
    dropped += r->kv_blocks_host_evicted();
    load_s += r->host_load_seconds();
    exposed_s += r->host_load_exposed_seconds();
  }
  const auto rate = [looked_up](std::uint64_t tokens) {
    return looked_up > 0 ? static_cast<double>(tokens) / static_cast<double>(looked_up)
                         : std::numeric_limits<double>::quiet_NaN();
  };
  out.declare_summary(host_tier_output_keys(), prefix);
  out.summary(prefix + "prefix_cache_gpu_hit_rate", rate(hit - host_hit));
  out.summary(prefix + "prefix_cache_host_hit_rate", rate(host_hit));
  out.summary(prefix + "prefill_tokens_saved_host", static_cast<std::int64_t>(host_hit));
  out.summary(prefix + "host_cache_blocks", host_blocks_);
  out.summary(prefix + "host_cache_offloaded_blocks", offloaded);
  out.summary(prefix + "host_cache_loaded_blocks", loaded);
  out.summary(prefix + "host_cache_evicted_blocks", dropped);
  out.summary(prefix + "host_cache_load_bytes", static_cast<double>(loaded) * block_bytes_);
  out.summary(prefix + "host_cache_load_s", load_s);
  out.summary(prefix + "host_cache_load_exposed_s", exposed_s);
  double offload_s = 0;
  for (const auto& [rate, blocks] : offloaded_at) offload_s += static_cast<double>(blocks) * block_bytes_ / rate;
  out.summary(prefix + "host_cache_offload_s", offload_s);
}

}  // namespace cs
