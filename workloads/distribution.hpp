#pragma once
// A random quantity described in a scenario (a service time, a token count): its family and
// moments. Sampling uses our own generators (sim/engine/random.hpp) for reproducibility.
#include "sim/engine/random.hpp"

namespace cs {

enum class DistributionKind { kFixed, kUniform, kExponential, kLognormal, kGamma };

struct DistributionSpec {
  DistributionKind kind = DistributionKind::kFixed;
  double mean = 0;  // all kinds; for kUniform it is (min + max) / 2
  double cv = 0;    // coefficient of variation (stddev / mean): kLognormal, kGamma
  double min = 0;   // kUniform
  double max = 0;   // kUniform
};

// (Its checks: validate() in workloads/workload_spec_checks.hpp.)
double draw(const DistributionSpec& spec, RandomStream& rng);
// Coefficient of variation implied by the spec (0 for kFixed, 1 for kExponential).
double coefficient_of_variation(const DistributionSpec& spec);

}  // namespace cs
