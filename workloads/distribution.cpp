#include "workloads/distribution.hpp"

#include <cmath>
#include <stdexcept>

namespace cs {

double draw(const DistributionSpec& s, RandomStream& rng) {
  switch (s.kind) {
    case DistributionKind::kFixed:
      return s.mean;
    case DistributionKind::kUniform:
      return rng.uniform(s.min, s.max);
    case DistributionKind::kExponential:
      return rng.exponential(1.0 / s.mean);
    case DistributionKind::kLognormal:
      return rng.lognormal_mean_cv(s.mean, s.cv);
    case DistributionKind::kGamma: {
      // shape k = 1/cv², scale = mean/k gives the requested mean and cv.
      const double shape = 1.0 / (s.cv * s.cv);
      return rng.gamma(shape, s.mean / shape);
    }
  }
  throw std::logic_error("unknown distribution kind");
}

double coefficient_of_variation(const DistributionSpec& s) {
  switch (s.kind) {
    case DistributionKind::kFixed:
      return 0;
    case DistributionKind::kExponential:
      return 1;
    case DistributionKind::kUniform:
      // stddev of U(a,b) is (b-a)/sqrt(12)
      return (s.max - s.min) / std::sqrt(12.0) / ((s.min + s.max) / 2);
    case DistributionKind::kLognormal:
    case DistributionKind::kGamma:
      return s.cv;
  }
  return 0;
}

}  // namespace cs
