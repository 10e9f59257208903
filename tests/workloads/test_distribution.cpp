#include <catch2/catch.hpp>

#include <cmath>

#include "workloads/distribution.hpp"

using namespace cs;

namespace {
void check_moments(const DistributionSpec& spec, double mean, double cv) {
  RandomStream rng(11);
  const int n = 300'000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double x = draw(spec, rng);
    sum += x;
    sum2 += x * x;
  }
  const double m = sum / n, sd = std::sqrt(sum2 / n - m * m);
  // 5 standard errors of the sample mean (sd/sqrt(n)).
  CHECK(std::fabs(m - mean) < 5 * mean * cv / std::sqrt(n) + 1e-12);
  CHECK(sd / m == Approx(cv).margin(0.02 * cv + 1e-12));
}
}  // namespace

TEST_CASE("each distribution kind reproduces the mean and cv it was given") {
  check_moments({DistributionKind::kFixed, 3.0, 0, 0, 0}, 3.0, 0.0);
  check_moments({DistributionKind::kExponential, 2.0, 0, 0, 0}, 2.0, 1.0);
  check_moments({DistributionKind::kLognormal, 5.0, 1.5, 0, 0}, 5.0, 1.5);
  check_moments({DistributionKind::kGamma, 5.0, 0.5, 0, 0}, 5.0, 0.5);
  // U(2, 6): mean 4, sd 4/sqrt(12) = 1.1547, cv 0.2887
  const DistributionSpec uni{DistributionKind::kUniform, 4.0, 0, 2.0, 6.0};
  CHECK(coefficient_of_variation(uni) == Approx(0.288675).epsilon(1e-5));
  check_moments(uni, 4.0, 0.288675);
}

TEST_CASE("impossible distribution parameters are rejected") {
  CHECK_THROWS_AS(validate({DistributionKind::kFixed, 0, 0, 0, 0}), std::invalid_argument);
  CHECK_THROWS_AS(validate({DistributionKind::kGamma, 1, 0, 0, 0}), std::invalid_argument);
  CHECK_THROWS_AS(validate({DistributionKind::kUniform, 1, 0, 3, 2}), std::invalid_argument);
  CHECK_NOTHROW(validate({DistributionKind::kLognormal, 1, 0.3, 0, 0}));
}
