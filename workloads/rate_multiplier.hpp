#pragma once
// The time-varying factor on a synthetic generator's base rate: a demand profile times an
// optional diurnal cycle, and the time change that turns a renewal process into a
// non-homogeneous one. A gap g drawn at the base rate is "operational time"; the next
// arrival is the instant t1 with ∫_{t0}^{t1} m(u) du = g. For Poisson arrivals this is exactly
// the non-homogeneous Poisson process with rate base·m(t) (Çinlar's time-change theorem); for
// Gamma gaps it keeps the gap shape (the burstiness) at every rate, which thinning would not.
#include <cstddef>
#include <vector>

#include "sim/engine/time.hpp"
#include "workloads/demand_profile.hpp"

namespace cs {

// Multiplier 1 + amplitude·cos(2π (t − peak_at) / period): mean 1 over a period (the base
// rate stays the daily mean), peak 1 + amplitude at `peak_at`, trough 1 − amplitude half a
// period later. amplitude 0 turns it off; it must lie in [0, 1].
struct DiurnalSpec {
  Time period = Time::s(86400);
  double amplitude = 0;
  Time peak_at;
};

class RateMultiplier {
 public:
  // Throws std::invalid_argument for an amplitude outside [0, 1] or a non-positive period.
  RateMultiplier(DemandProfile profile = {}, DiurnalSpec diurnal = {});

  double at(double t_s) const;
  // ∫_{t0}^{t1} m(u) du, in multiplier·seconds (t1 >= t0).
  double integral(double t0_s, double t1_s) const;
  // The t1 >= t0 with integral(t0, t1) == area (area >= 0): where a gap of `area` base-rate
  // seconds ends. +infinity when the multiplier stays 0 for ever before that.
  double advance(double t0_s, double area);
  // True when m(t) is 1 everywhere (advance is then t0 + area).
  bool is_identity() const { return identity_; }

 private:
  // The profile on one piece, seen from an instant t inside it.
  struct Linear {
    double value;  // at t
    double slope;  // per second
    double end_s;  // where the piece ends; +inf for the last
  };
  Linear linear_piece(std::size_t piece, double t_s) const;
  // The profile's piece holding t: [start, end) with a linear profile.
  std::size_t piece_of(double t_s);
  // ∫_0^L of (a + b·τ)·(1 + A cos(θ0 + ω τ)) dτ, and its integrand at L.
  double piece_integral(double a, double b, double theta0, double length) const;
  double solve_in_piece(double a, double b, double theta0, double area, double max_length) const;

  DemandProfile profile_;
  DiurnalSpec diurnal_;
  double omega_ = 0;
  std::vector<double> starts_s_;  // point times in seconds
  std::size_t piece_ = 0;         // cache: piece of the last advance
  bool identity_ = false;
};

}  // namespace cs
