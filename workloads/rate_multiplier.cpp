#include "workloads/rate_multiplier.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <utility>

#include "workloads/workload_spec_checks.hpp"

namespace cs {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
// Far below a nanosecond at any simulated time, far above double's resolution at a year.
constexpr double kTimeTolerance_s = 1e-11;
}  // namespace

RateMultiplier::RateMultiplier(DemandProfile profile, DiurnalSpec diurnal)
    : profile_(std::move(profile)), diurnal_(diurnal) {
  require_valid(validate(diurnal_), "diurnal");
  omega_ = 2 * std::numbers::pi / diurnal_.period.seconds();
  for (const auto& p : profile_.points()) starts_s_.push_back(p.at.seconds());
  identity_ = diurnal_.amplitude == 0 && profile_.is_constant() && profile_.points().front().multiplier == 1;
}

double RateMultiplier::at(double t_s) const {
  const double p = profile_.at(Time::from_seconds_round(t_s));
  if (diurnal_.amplitude == 0) return p;
  return p * (1 + diurnal_.amplitude * std::cos(omega_ * (t_s - diurnal_.peak_at.seconds())));
}

std::size_t RateMultiplier::piece_of(double t_s) {
  // Piece i covers [starts_s_[i-1], starts_s_[i]); piece 0 is before the first point, the
  // last after the last point. Arrivals move forward, so the cached piece is nearly always
  // right or one short.
  const std::size_t n = starts_s_.size();
  auto holds = [&](std::size_t i) {
    const double lo = i == 0 ? -kInf : starts_s_[i - 1];
    const double hi = i == n ? kInf : starts_s_[i];
    return t_s >= lo && t_s < hi;
  };
  if (piece_ <= n && holds(piece_)) return piece_;
  if (piece_ + 1 <= n && holds(piece_ + 1)) return ++piece_;
  piece_ = static_cast<std::size_t>(std::upper_bound(starts_s_.begin(), starts_s_.end(), t_s) - starts_s_.begin());
  return piece_;
}

RateMultiplier::Linear RateMultiplier::linear_piece(std::size_t i, double t_s) const {
  const auto& pts = profile_.points();
  const std::size_t n = starts_s_.size();
  if (i == 0) return {pts.front().multiplier, 0, starts_s_.front()};
  if (i == n) return {pts.back().multiplier, 0, kInf};
  const double x0 = starts_s_[i - 1], x1 = starts_s_[i];
  const double slope = (pts[i].multiplier - pts[i - 1].multiplier) / (x1 - x0);
  return {pts[i - 1].multiplier + slope * (t_s - x0), slope, x1};
}

double RateMultiplier::piece_integral(double a, double b, double theta0, double length) const {
  const double linear = a * length + b * length * length / 2;
  const double amp = diurnal_.amplitude;
  if (amp == 0) return linear;
  // ∫(a + bτ) cos(θ0 + ωτ) dτ = [(a + bτ) sin(θ0 + ωτ)]/ω + b cos(θ0 + ωτ)/ω², with the
  // differences of sines and cosines written as products so short gaps do not cancel.
  const double w = omega_;
  const double half = w * length / 2;
  const double mid = theta0 + half;
  const double dsin = 2 * std::cos(mid) * std::sin(half);   // sin(θ0+ωL) − sin θ0
  const double dcos = -2 * std::sin(mid) * std::sin(half);  // cos(θ0+ωL) − cos θ0
  const double wave = (a * dsin + b * length * std::sin(theta0 + w * length)) / w + b * dcos / (w * w);
  return linear + amp * wave;
}

double RateMultiplier::solve_in_piece(double a, double b, double theta0, double area, double max_length) const {
  const double amp = diurnal_.amplitude;
  if (amp == 0) {
    // a·L + b·L²/2 = area, in the form that does not cancel when b·area is small.
    const double disc = std::max(0.0, a * a + 2 * b * area);
    return std::min(max_length, 2 * area / (a + std::sqrt(disc)));
  }
  // Newton on a monotone function, kept inside a shrinking bracket (bisection when a step
  // leaves it or the integrand is 0).
  double lo = 0, hi = max_length;
  if (!std::isfinite(hi)) hi = area / a + diurnal_.period.seconds();  // ∫ over any L >= a(L − period)
  const double m0 = a * (1 + amp * std::cos(theta0));
  double x = m0 > 0 ? std::min(area / m0, hi) : (lo + hi) / 2;
  for (int iter = 0; iter < 200 && hi - lo > kTimeTolerance_s; ++iter) {
    const double f = piece_integral(a, b, theta0, x) - area;
    if (f == 0) return x;
    (f < 0 ? lo : hi) = x;
    const double slope = (a + b * x) * (1 + amp * std::cos(theta0 + omega_ * x));
    double next = slope > 0 ? x - f / slope : lo - 1;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (std::abs(next - x) < kTimeTolerance_s) return next;
    x = next;
  }
  return x;
}

double RateMultiplier::advance(double t0_s, double area) {
  if (identity_) return t0_s + area;
  double t = t0_s;
  for (;;) {
    const std::size_t i = piece_of(t);
    const Linear piece = linear_piece(i, t);
    const double a = piece.value, b = piece.slope, end = piece.end_s;
    const double theta0 = omega_ * (t - diurnal_.peak_at.seconds());
    if (std::isfinite(end)) {
      const double in_piece = piece_integral(a, b, theta0, end - t);
      if (in_piece < area) {
        area -= in_piece;
        t = end;
        continue;
      }
    } else if (a == 0) {
      return kInf;
    }
    return t + solve_in_piece(a, b, theta0, area, end - t);
  }
}

double RateMultiplier::integral(double t0_s, double t1_s) const {
  // Sum the closed form piece by piece (used by tests and reports, not per arrival).
  double total = 0;
  double t = t0_s;
  while (t < t1_s) {
    const auto i = static_cast<std::size_t>(std::upper_bound(starts_s_.begin(), starts_s_.end(), t) - starts_s_.begin());
    const Linear piece = linear_piece(i, t);
    const double a = piece.value, b = piece.slope, end = piece.end_s;
    const double stop = std::min(end, t1_s);
    total += piece_integral(a, b, omega_ * (t - diurnal_.peak_at.seconds()), stop - t);
    t = stop;
  }
  return total;
}

}  // namespace cs
