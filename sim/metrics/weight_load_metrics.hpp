#pragma once
// Listens to a WeightLoader: how long replicas wait for their weights and how many bytes are
// on their way. Timelines `weight_load_bytes_in_flight` (bytes still to land, at the sample
// instant) and `replicas_loading_weights`; summary: loads completed, their mean and longest
// time (from the first byte asked to the last landed; provisioning before it not counted), the
// bytes loaded, and the loads served wholly from the nodes' NVMe caches. It never drives the
// simulation.
#include <cstdint>

#include "sim/io/run_file.hpp"
#include "sim/metrics/timeline_sampler.hpp"
#include "sim/serving/weight_loader.hpp"

namespace cs {

class WeightLoadMetrics {
 public:
  WeightLoadMetrics(WeightLoader& loader, TimelineSampler& sampler);
  WeightLoadMetrics(const WeightLoadMetrics&) = delete;
  WeightLoadMetrics& operator=(const WeightLoadMetrics&) = delete;

  void write_summary(RunFile& out) const;
  static const OutputKeyTable& output_keys();

 private:
  std::uint64_t loads_ = 0;
  std::uint64_t from_cache_ = 0;
  double total_s_ = 0;
  double max_s_ = 0;
  double bytes_ = 0;
};

}  // namespace cs
