#pragma once
// Listens to a serving pool whose replicas keep a prefix cache (`replica.prefix_caching`):
// the cache's occupancy over time (blocks cached that no request holds, blocks free) and, in
// the summary, how much prompt work it saved. Pools without prefix caching write none of it,
// so their output is what it was before prefix caching existed.
#include <cstdint>
#include <string>

#include "sim/io/output_keys.hpp"
#include "sim/io/run_file.hpp"
#include "sim/metrics/timeline_sampler.hpp"
#include "sim/serving/request_router.hpp"

namespace cs {

class PrefixCacheMetrics {
 public:
  // Registers its series under the sampler's current name prefix; `spec` is the pool's replica
  // spec (its host tier and KV bytes per token).
  PrefixCacheMetrics(const RequestRouter& router, TimelineSampler& sampler, const ReplicaSpec& spec);
  PrefixCacheMetrics(const PrefixCacheMetrics&) = delete;
  PrefixCacheMetrics& operator=(const PrefixCacheMetrics&) = delete;
  static const OutputKeyTable& output_keys();
  static const OutputKeyTable& host_tier_output_keys();
  // Its summary keys, each under `prefix` ("<pool>." with several pools).
  void write_summary(RunFile& out, const std::string& prefix) const;

 private:
  // Σ over ready and draining replicas of `read`.
  double sum_serving(std::int64_t (Replica::*read)() const) const;

  // The host tier's keys, given the prompt tokens looked up and found in either tier.
  void write_host_tier_summary(RunFile& out, const std::string& prefix, std::uint64_t looked_up,
                               std::uint64_t hit) const;

  const RequestRouter& router_;
  std::int64_t host_blocks_;  // of one replica's host tier; 0: none
  double block_bytes_;        // KV bytes of one block of the whole replica
};

}  // namespace cs
