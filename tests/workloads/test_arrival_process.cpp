#include <catch2/catch.hpp>

#include <cmath>

#include "workloads/arrival_process.hpp"

using namespace cs;

namespace {
struct GapStats {
  double mean_s, cv;
};
GapStats gap_stats(ArrivalSpec spec, double multiplier = 1.0) {
  RandomStream rng(5);
  ArrivalProcess p(spec, rng);
  const int n = 200'000;
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double g = p.next_gap(multiplier).seconds();
    sum += g;
    sum2 += g * g;
  }
  const double m = sum / n;
  return {m, std::sqrt(sum2 / n - m * m) / m};
}
}  // namespace

TEST_CASE("Poisson arrivals at 40/s have exponential gaps of mean 25 ms") {
  auto s = gap_stats({ArrivalKind::kPoisson, 40.0, 1.0});
  CHECK(s.mean_s == Approx(0.025).epsilon(0.01));  // se = 0.025/sqrt(2e5) = 0.2%
  CHECK(s.cv == Approx(1.0).epsilon(0.02));
}

TEST_CASE("Gamma arrivals keep the mean rate and take the requested burstiness") {
  auto s = gap_stats({ArrivalKind::kGamma, 10.0, 3.0});
  CHECK(s.mean_s == Approx(0.1).epsilon(0.03));  // se = 3 * 0.1 / sqrt(2e5) = 0.67%
  CHECK(s.cv == Approx(3.0).epsilon(0.05));
}

TEST_CASE("a rate multiplier of 10 shortens gaps tenfold") {
  auto base = gap_stats({ArrivalKind::kDeterministic, 4.0, 1.0});
  auto spike = gap_stats({ArrivalKind::kDeterministic, 4.0, 1.0}, 10.0);
  CHECK(base.mean_s == Approx(0.25));
  CHECK(spike.mean_s == Approx(0.025));
}

TEST_CASE("a non-positive arrival rate is rejected") {
  RandomStream rng(1);
  CHECK_THROWS_AS(ArrivalProcess({ArrivalKind::kPoisson, 0.0, 1.0}, rng), std::invalid_argument);
  CHECK_THROWS_AS(ArrivalProcess({ArrivalKind::kGamma, 1.0, 0.0}, rng), std::invalid_argument);
}
