#pragma once
// Listens to a disaggregated deployment's KV transfers (sim/simulation/kv_handoff.hpp): how
// many prompts' KV caches moved from the prefill pool to the decode pool, their bytes, and the
// time each request waited for its KV after its prefill ended (mean, p99, max). The pools' own
// figures (utilization, queueing, GPU-hours) are their ServingMetrics' `<pool>.` keys.
#include <cstdint>
#include <functional>

#include "sim/engine/signal.hpp"
#include "sim/io/run_file.hpp"
#include "sim/metrics/latency_histogram.hpp"
#include "sim/metrics/timeline_sampler.hpp"
#include "sim/serving/kv_transfer.hpp"

namespace cs {

class KvTransferMetrics {
 public:
  // `in_flight`: prompts whose KV is moving now (the handoff's gauge).
  KvTransferMetrics(Signal<const KvTransferRecord&>& transfers, std::function<double()> in_flight,
                    TimelineSampler& sampler);
  KvTransferMetrics(const KvTransferMetrics&) = delete;
  KvTransferMetrics& operator=(const KvTransferMetrics&) = delete;
  static const OutputKeyTable& output_keys();

  void write_summary(RunFile& out) const;

 private:
  std::uint64_t count_ = 0;
  double bytes_ = 0;
  double bytes_after_prefill_ = 0;
  LatencyHistogram exposed_;
};

}  // namespace cs
