#include "sim/metrics/kv_transfer_metrics.hpp"

#include <limits>
#include <utility>

namespace cs {

namespace {
constexpr OutputKey kSummary[] = {
    {"kv_transfers", "1", "disaggregation: prompts whose KV cache moved from the prefill pool to the decode pool"},
    {"kv_transfer_bytes", "bytes", "disaggregation: KV-cache bytes moved (prompt tokens x KV bytes per token)"},
    {"kv_transfer_bytes_after_prefill", "bytes",
     "disaggregation: of those, bytes still to send when the prefill ended (run as flows on the fabric)"},
    {"kv_transfer_mean_s", "s",
     "disaggregation: mean time from a prefill's end to its KV's last byte at the decode replica (in TTFT)"},
    {"kv_transfer_p99_s", "s", "disaggregation: 99th percentile of that time"},
    {"kv_transfer_max_s", "s", "disaggregation: the longest such time"},
};
constexpr OutputKey kSeries[] = {
    {"kv_transfers_in_flight", "1", "disaggregation: prompts whose KV cache is moving to a decode replica"},
};
}  // namespace

const OutputKeyTable& KvTransferMetrics::output_keys() {
  static constexpr OutputKeyTable kTable{"KV transfers", kSummary, kSeries};
  return kTable;
}

KvTransferMetrics::KvTransferMetrics(Signal<const KvTransferRecord&>& transfers, std::function<double()> in_flight,
                                     TimelineSampler& sampler) {
  transfers.connect([this](const KvTransferRecord& r) {
    ++count_;
    bytes_ += r.bytes;
    bytes_after_prefill_ += r.sent_after;
    exposed_.add(r.exposed().seconds());
  });
  sampler.declare(output_keys());
  sampler.add_gauge("kv_transfers_in_flight", std::move(in_flight));
}

void KvTransferMetrics::write_summary(RunFile& out) const {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  out.declare_summary(output_keys());
  out.summary("kv_transfers", static_cast<std::int64_t>(count_));
  out.summary("kv_transfer_bytes", bytes_);
  out.summary("kv_transfer_bytes_after_prefill", bytes_after_prefill_);
  out.summary("kv_transfer_mean_s", count_ ? exposed_.mean() : nan);
  out.summary("kv_transfer_p99_s", count_ ? exposed_.quantile(0.99) : nan);
  out.summary("kv_transfer_max_s", count_ ? exposed_.max() : nan);
}

}  // namespace cs
