#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "workloads/distribution.hpp"
#include "workloads/workload_spec_checks.hpp"

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

TEST_CASE("impossible distribution parameters are problems at the parameter that makes them so") {
  auto keys = [](const DistributionSpec& d) {
    std::vector<std::string> out;
    for (const SpecProblem& p : validate(d)) out.push_back(p.key);
    return out;
  };
  CHECK(keys({DistributionKind::kFixed, 0, 0, 0, 0}) == std::vector<std::string>{"mean"});
  CHECK(keys({DistributionKind::kGamma, 1, 0, 0, 0}) == std::vector<std::string>{"cv"});
  CHECK(keys({DistributionKind::kGamma, -1, 0, 0, 0}) == std::vector<std::string>{"mean", "cv"});
  CHECK(keys({DistributionKind::kUniform, 1, 0, 3, 2}) == std::vector<std::string>{"max"});
  CHECK(keys({DistributionKind::kUniform, 1, 0, -1, 2}) == std::vector<std::string>{"min"});
  CHECK(keys({DistributionKind::kLognormal, 1, 0.3, 0, 0}).empty());
}
