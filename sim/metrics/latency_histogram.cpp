#include "sim/metrics/latency_histogram.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace cs {

namespace {
constexpr double kMin = 1e-9;           // 1 ns: the clock's resolution
constexpr double kGrowth = 1.01;        // bucket width, relative
constexpr std::size_t kBuckets = 4200;  // 1e-9 · 1.01^4200 ≈ 1.3e9 s
const double kLogGrowth = std::log(kGrowth);

std::size_t bucket_of(double s) {
  const double b = std::floor(std::log(s / kMin) / kLogGrowth);
  return std::min(kBuckets - 1, static_cast<std::size_t>(std::max(0.0, b)));
}
}  // namespace

LatencyHistogram::LatencyHistogram() : buckets_(kBuckets, 0) {}

void LatencyHistogram::add(double seconds) {
  if (!(seconds >= 0)) throw std::invalid_argument("latency must be >= 0");
  ++count_;
  sum_ += seconds;
  max_ = std::max(max_, seconds);
  if (seconds < kMin)
    ++zeros_;
  else
    ++buckets_[bucket_of(seconds)];
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (std::size_t b = 0; b < kBuckets; ++b) buckets_[b] += other.buckets_[b];
  count_ += other.count_;
  zeros_ += other.zeros_;
  sum_ += other.sum_;
  max_ = std::max(max_, other.max_);
}

double LatencyHistogram::quantile(double q) const {
  if (count_ == 0) return 0;
  if (q < 0 || q > 1) throw std::invalid_argument("quantile must be in [0, 1]");
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
  std::uint64_t seen = zeros_;
  if (seen >= rank) return 0;
  for (std::size_t b = 0; b < kBuckets; ++b) {
    seen += buckets_[b];
    if (seen >= rank) {
      // Geometric middle of the bucket: at most half a bucket (0.5%) from any value in it.
      const double lo = kMin * std::pow(kGrowth, static_cast<double>(b));
      return std::min(max_, lo * std::sqrt(kGrowth));
    }
  }
  return max_;
}

}  // namespace cs
