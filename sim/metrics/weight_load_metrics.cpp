#include "sim/metrics/weight_load_metrics.hpp"

#include <algorithm>
#include <limits>

namespace cs {

namespace {
constexpr OutputKey kSummary[] = {
    {"weight_loads", "1", "replica boots whose weights finished loading as flows"},
    {"weight_loads_from_cache", "1", "of those, loads every GPU of which read its node's NVMe cache"},
    {"weight_load_mean_s", "s", "mean time from a boot's first weight byte asked to its last landed (NaN: none)"},
    {"weight_load_max_s", "s", "the longest of those (NaN: none)"},
    {"weight_load_bytes", "bytes", "weight bytes the finished loads moved"},
};
constexpr OutputKey kSeries[] = {
    {"weight_load_bytes_in_flight", "bytes", "weight bytes booting replicas still wait for"},
    {"replicas_loading_weights", "1", "replicas waiting for their weights"},
};
}  // namespace

const OutputKeyTable& WeightLoadMetrics::output_keys() {
  static constexpr OutputKeyTable kTable{"weight loads", kSummary, kSeries};
  return kTable;
}

WeightLoadMetrics::WeightLoadMetrics(WeightLoader& loader, TimelineSampler& sampler) {
  loader.on_load_done.connect([this](const WeightLoadRecord& r) {
    const double s = r.duration().seconds();
    ++loads_;
    if (r.used == WeightSource::kNvmeCache) ++from_cache_;
    total_s_ += s;
    max_s_ = std::max(max_s_, s);
    bytes_ += r.bytes;
  });
  sampler.declare(output_keys());
  sampler.add_gauge("weight_load_bytes_in_flight", [&loader] { return loader.bytes_in_flight(); });
  sampler.add_gauge("replicas_loading_weights", [&loader] { return static_cast<double>(loader.loads_in_flight()); });
}

void WeightLoadMetrics::write_summary(RunFile& out) const {
  const double none = std::numeric_limits<double>::quiet_NaN();
  out.declare_summary(output_keys());
  out.summary("weight_loads", static_cast<std::int64_t>(loads_));
  out.summary("weight_loads_from_cache", static_cast<std::int64_t>(from_cache_));
  out.summary("weight_load_mean_s", loads_ ? total_s_ / static_cast<double>(loads_) : none);
  out.summary("weight_load_max_s", loads_ ? max_s_ : none);
  out.summary("weight_load_bytes", bytes_);
}

}  // namespace cs
