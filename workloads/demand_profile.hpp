#pragma once
// How demand changes over simulated time: a rate multiplier, piecewise linear between points
// (time, multiplier), constant before the first and after the last. Two points at the same
// time make a step; the value at the step is the later point's (right-continuous).
#include <vector>

#include "sim/engine/time.hpp"

namespace cs {

struct DemandPoint {
  Time at;
  double multiplier = 1;
};

class DemandProfile {
 public:
  // A flat 1x: no change to the workload.
  DemandProfile();
  // Throws std::invalid_argument for no points, times going backwards, or a multiplier that
  // is negative or not finite.
  explicit DemandProfile(std::vector<DemandPoint> points);
  static DemandProfile constant(double multiplier);

  double at(Time t) const;
  // ∫ multiplier dt over [from, to], in multiplier·seconds (negative when to < from).
  double integral(Time from, Time to) const;
  double peak() const;
  bool is_constant() const { return points_.size() == 1; }
  const std::vector<DemandPoint>& points() const { return points_; }

 private:
  // ∫ from the first point's time to t.
  double primitive(Time t) const;

  std::vector<DemandPoint> points_;
  std::vector<double> cumulative_;  // primitive() at each point
};

}  // namespace cs
