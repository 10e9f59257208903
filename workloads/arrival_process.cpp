#include "workloads/arrival_process.hpp"

#include <stdexcept>

#include "workloads/workload_spec_checks.hpp"

namespace cs {

ArrivalProcess::ArrivalProcess(const ArrivalSpec& spec, RandomStream& rng) : spec_(spec), rng_(&rng) {
  require_valid(validate(spec), "arrivals");
  if (spec.kind == ArrivalKind::kGamma) gamma_shape_ = 1.0 / (spec.cv * spec.cv);
}

Time ArrivalProcess::next_gap(double rate_multiplier) {
  return Time::from_seconds_ceil(next_gap_seconds(rate_multiplier));
}

double ArrivalProcess::next_gap_seconds(double rate_multiplier) {
  if (!(rate_multiplier > 0)) throw std::invalid_argument("rate multiplier must be > 0");
  const double rate = spec_.rate_per_s * rate_multiplier;
  double gap_s = 0;
  switch (spec_.kind) {
    case ArrivalKind::kPoisson:
      gap_s = rng_->exponential(rate);
      break;
    case ArrivalKind::kGamma:
      gap_s = rng_->gamma(gamma_shape_, 1.0 / (rate * gamma_shape_));
      break;
    case ArrivalKind::kDeterministic:
      gap_s = 1.0 / rate;
      break;
  }
  return gap_s;
}

}  // namespace cs
