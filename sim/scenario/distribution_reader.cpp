#include "sim/scenario/distribution_reader.hpp"

namespace cs {

ArrivalSpec read_arrivals(MapReader r) {
  ArrivalSpec a;
  a.kind = r.choice<ArrivalKind>("process", {{"poisson", ArrivalKind::kPoisson},
                                             {"gamma", ArrivalKind::kGamma},
                                             {"deterministic", ArrivalKind::kDeterministic}});
  a.rate_per_s = r.quantity("rate", Dimension::kRate);
  if (a.kind == ArrivalKind::kGamma) a.cv = r.number("cv");
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
  r.finish();
  return d;
}

}  // namespace cs
