#pragma once
// Listens to a NetworkWorkload: link utilization timelines (per link kind, and for the busiest
// links), one /collectives row per finished collective, and a summary. Never drives the model.
#include <array>
#include <cstdint>
#include <vector>

#include "sim/io/run_file.hpp"
#include "sim/metrics/latency_histogram.hpp"
#include "sim/metrics/timeline_sampler.hpp"
#include "sim/network/network_workload.hpp"

namespace cs {

class NetworkMetrics {
 public:
  NetworkMetrics(NetworkWorkload& workload, TimelineSampler& sampler, ColumnarWriter* table);
  static std::vector<ColumnSpec> table_columns();
  // The /summary keys and timeline series it writes.
  static const OutputKeyTable& output_keys();
  void write_summary(RunFile& out) const;

 private:
  NetworkWorkload& workload_;
  ColumnarWriter* table_;
  LatencyHistogram time_;
  double busbw_sum_ = 0;
  std::uint64_t completed_ = 0;
  std::vector<double> row_;
  std::array<double, kLinkKindCount> kind_bytes_{};  // at the latest sample instant
};

}  // namespace cs
