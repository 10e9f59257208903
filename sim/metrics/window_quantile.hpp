#pragma once
// Exact percentiles over short spans of simulated time: the samples of one span are kept
// (a span holds at most the requests finishing in it), so the figure equals what a reader
// computes from /requests by the nearest-rank rule. `WindowedWorst` keeps the worst quantile
// over back-to-back windows [k·w, (k+1)·w) of the time each sample is recorded.
#include <cstdint>
#include <vector>

#include "sim/engine/time.hpp"

namespace cs {

// The q-quantile of `values` by the nearest-rank rule (the ceil(q·n)-th smallest); NaN when
// empty. Reorders `values`.
double nearest_rank_quantile(std::vector<double>& values, double q);

class WindowedWorst {
 public:
  WindowedWorst(Time window, double q);
  // Samples arrive in time order.
  void add(Time at, double value);
  // The highest window quantile so far, the open window included; NaN when no sample came.
  double worst() const;

 private:
  void close_window();

  Time window_;
  double q_;
  std::int64_t index_ = -1;  // the open window
  std::vector<double> values_;
  double worst_;
};

}  // namespace cs
