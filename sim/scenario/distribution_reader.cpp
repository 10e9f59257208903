#include "sim/scenario/distribution_reader.hpp"

#include <cmath>
#include <stdexcept>

namespace cs {

ArrivalSpec read_arrivals(MapReader r) {
  ArrivalSpec a;
  a.kind = r.choice<ArrivalKind>("process", {{"poisson", ArrivalKind::kPoisson},
                                             {"gamma", ArrivalKind::kGamma},
                                             {"deterministic", ArrivalKind::kDeterministic}});
  a.rate_per_s = r.quantity("rate", Dimension::kRate);
  if (!(a.rate_per_s > 0)) r.fail("rate", "the arrival rate must be positive");
  if (a.kind == ArrivalKind::kGamma) {
    a.cv = r.number("cv");
    if (!(a.cv > 0)) r.fail("cv", "the coefficient of variation must be positive");
  }
  r.finish();
  return a;
}

DistributionSpec read_distribution(MapReader r, Dimension unit) {
  DistributionSpec d;
  d.kind = r.choice<DistributionKind>("distribution", {{"fixed", DistributionKind::kFixed},
                                                       {"uniform", DistributionKind::kUniform},
                                                       {"exponential", DistributionKind::kExponential},
                                                       {"lognormal", DistributionKind::kLognormal},
                                                       {"gamma", DistributionKind::kGamma}});
  if (d.kind == DistributionKind::kUniform) {
    d.min = r.quantity("min", unit);
    d.max = r.quantity("max", unit);
    d.mean = (d.min + d.max) / 2;
  } else {
    d.mean = r.quantity("mean", unit);
  }
  if (d.kind == DistributionKind::kLognormal || d.kind == DistributionKind::kGamma) d.cv = r.number("cv");
  try {
    validate(d);
  } catch (const std::invalid_argument& e) {
    throw_config_error(r.node().where, r.path(), e.what());
  }
  r.finish();
  return d;
}

}  // namespace cs
