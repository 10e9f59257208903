#include "workloads/demand_profile.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace cs {

DemandProfile::DemandProfile() : DemandProfile(std::vector<DemandPoint>{{Time(), 1.0}}) {}

DemandProfile DemandProfile::constant(double multiplier) { return DemandProfile({{Time(), multiplier}}); }

DemandProfile::DemandProfile(std::vector<DemandPoint> points) : points_(std::move(points)) {
  if (points_.empty()) throw std::invalid_argument("a demand profile needs at least one point");
  for (std::size_t i = 0; i < points_.size(); ++i) {
    const double m = points_[i].multiplier;
    if (!std::isfinite(m) || m < 0) throw std::invalid_argument("demand multipliers must be finite and >= 0");
    if (i > 0 && points_[i].at < points_[i - 1].at) throw std::invalid_argument("demand profile times must not decrease");
  }
  cumulative_.resize(points_.size());
  for (std::size_t i = 1; i < points_.size(); ++i) {
    const double width_s = (points_[i].at - points_[i - 1].at).seconds();
    cumulative_[i] = cumulative_[i - 1] + width_s * (points_[i - 1].multiplier + points_[i].multiplier) / 2;
  }
}

double DemandProfile::at(Time t) const {
  const auto after = std::upper_bound(points_.begin(), points_.end(), t,
                                      [](Time v, const DemandPoint& p) { return v < p.at; });
  if (after == points_.begin()) return points_.front().multiplier;
  if (after == points_.end()) return points_.back().multiplier;
  const DemandPoint& lo = *(after - 1);
  const double fraction = (t - lo.at).seconds() / (after->at - lo.at).seconds();
  return lo.multiplier + (after->multiplier - lo.multiplier) * fraction;
}

double DemandProfile::primitive(Time t) const {
  const auto after = std::upper_bound(points_.begin(), points_.end(), t,
                                      [](Time v, const DemandPoint& p) { return v < p.at; });
  if (after == points_.begin()) return (t - points_.front().at).seconds() * points_.front().multiplier;
  const auto i = static_cast<std::size_t>(after - points_.begin()) - 1;
  // Trapezoid from point i to t.
  return cumulative_[i] + (t - points_[i].at).seconds() * (points_[i].multiplier + at(t)) / 2;
}

double DemandProfile::integral(Time from, Time to) const { return primitive(to) - primitive(from); }

double DemandProfile::peak() const {
  double best = 0;
  for (const auto& p : points_) best = std::max(best, p.multiplier);
  return best;
}

}  // namespace cs
