#pragma once
// Listens to a ServerPool: one /requests row per finished job, wait and sojourn percentiles,
// utilization and cost. It never drives the model.
#include <string>

#include "sim/io/run_file.hpp"
#include "sim/metrics/latency_histogram.hpp"
#include "sim/metrics/timeline_sampler.hpp"
#include "sim/queueing/server_pool.hpp"

namespace cs {

class PoolMetrics {
 public:
  // Registers the pool's series on `sampler` and, when `table` is given, fills it.
  PoolMetrics(const Engine& engine, ServerPool& pool, TimelineSampler& sampler, ColumnarWriter* table);
  static std::vector<ColumnSpec> table_columns();
  // The /summary keys and timeline series it writes.
  static const OutputKeyTable& output_keys();

  // Cost of the pool's servers from time zero to `now` (they are rented for the whole run).
  double cost_usd(Time now) const;
  void write_summary(RunFile& out, Time end) const;

 private:
  const Engine& engine_;
  ServerPool& pool_;
  ColumnarWriter* table_;
  LatencyHistogram wait_;
  LatencyHistogram sojourn_;
  std::vector<double> row_;
};

}  // namespace cs
