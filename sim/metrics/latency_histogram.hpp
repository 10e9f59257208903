#pragma once
// Percentiles of a stream of non-negative durations in bounded memory: log-spaced buckets of
// 1% relative width from 1 ns to ~30 years, so a percentile is exact to within 1% of its value
// however many samples arrive (a million requests cost the same ~4,200 counters as ten).
#include <cstdint>
#include <vector>

namespace cs {

class LatencyHistogram {
 public:
  LatencyHistogram();
  void add(double seconds);
  // Adds every sample of `other` (same buckets, so percentiles of the union stay within 1%).
  void merge(const LatencyHistogram& other);
  std::uint64_t count() const { return count_; }
  double mean() const { return count_ ? sum_ / static_cast<double>(count_) : 0.0; }
  double max() const { return max_; }
  // The q-quantile (0 <= q <= 1) by the nearest-rank rule, within 1% relative; 0 when empty.
  double quantile(double q) const;

 private:
  std::vector<std::uint64_t> buckets_;
  std::uint64_t count_ = 0;
  std::uint64_t zeros_ = 0;
  double sum_ = 0;
  double max_ = 0;
};

}  // namespace cs
