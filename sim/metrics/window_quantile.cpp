#include "sim/metrics/window_quantile.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace cs {

namespace {
constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
}

double nearest_rank_quantile(std::vector<double>& values, double q) {
  if (values.empty()) return kNan;
  const auto n = static_cast<double>(values.size());
  const auto rank = static_cast<std::size_t>(std::clamp(std::ceil(q * n), 1.0, n));
  auto nth = values.begin() + static_cast<std::ptrdiff_t>(rank - 1);
  std::nth_element(values.begin(), nth, values.end());
  return *nth;
}

WindowedWorst::WindowedWorst(Time window, double q) : window_(window), q_(q), worst_(kNan) {}

void WindowedWorst::add(Time at, double value) {
  const std::int64_t index = at / window_;
  if (index != index_) {
    close_window();
    index_ = index;
  }
  values_.push_back(value);
}

void WindowedWorst::close_window() {
  if (values_.empty()) return;
  const double v = nearest_rank_quantile(values_, q_);
  if (std::isnan(worst_) || v > worst_) worst_ = v;
  values_.clear();
}

double WindowedWorst::worst() const {
  std::vector<double> open = values_;
  const double v = nearest_rank_quantile(open, q_);
  if (std::isnan(v)) return worst_;
  return std::isnan(worst_) || v > worst_ ? v : worst_;
}

}  // namespace cs
