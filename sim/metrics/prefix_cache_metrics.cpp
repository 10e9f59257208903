#include "sim/metrics/prefix_cache_metrics.hpp"

#include <cstdint>
#include <limits>

namespace cs {

namespace {
constexpr OutputKey kSummary[] = {
    {"prefix_cache_hit_rate", "1",
     "prompt tokens found in a replica's prefix cache at admission / prompt tokens admitted (NaN: none admitted)"},
    {"prefill_tokens_saved", "1", "prompt tokens whose prefill a prefix-cache hit skipped"},
    {"prefix_cache_evicted_blocks", "1", "cached KV blocks evicted to make room, all replicas"},
};
constexpr OutputKey kSeries[] = {
    {"kv_blocks_cached", "1", "KV blocks of ready and draining replicas cached for reuse that no request holds (evictable)"},
    {"kv_blocks_free", "1", "KV blocks of ready and draining replicas neither held nor cached"},
};
}  // namespace

const OutputKeyTable& PrefixCacheMetrics::output_keys() {
  static constexpr OutputKeyTable kTable{"prefix cache", kSummary, kSeries};
  return kTable;
}

PrefixCacheMetrics::PrefixCacheMetrics(const RequestRouter& router, TimelineSampler& sampler) : router_(router) {
  sampler.declare(output_keys());
  sampler.add_gauge("kv_blocks_cached", [this] { return sum_serving(&Replica::kv_blocks_cached); });
  sampler.add_gauge("kv_blocks_free", [this] { return sum_serving(&Replica::kv_blocks_free); });
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
}

}  // namespace cs
