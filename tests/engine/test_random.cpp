#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <vector>

#include "sim/engine/random.hpp"

using cs::RandomStream;
using cs::RandomStreams;

namespace {

struct Moments {
  double mean = 0, variance = 0;
};

Moments sample_moments(int n, const std::function<double()>& draw) {
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double x = draw();
    sum += x;
    sum2 += x * x;
  }
  const double mean = sum / n;
  return {mean, sum2 / n - mean * mean};
}

// The sample mean of n draws has standard error sqrt(var/n); 5 standard errors is a
// false-alarm rate below 1e-6 per check, and a wrong formula misses by far more.
void check_mean(const Moments& m, double mean, double variance, int n) {
  const double se = std::sqrt(variance / n);
  CHECK(std::fabs(m.mean - mean) < 5 * se);
}

void check_variance(const Moments& m, double variance, double rel_tol) {
  CHECK(m.variance == Approx(variance).epsilon(rel_tol));
}

constexpr int kN = 400'000;

}  // namespace

TEST_CASE("same seed and name give the same sequence, and other names and seeds differ") {
  RandomStreams a(42), b(42), c(43);
  std::vector<std::uint64_t> xa, xb, xc, xo;
  for (int i = 0; i < 8; ++i) {
    xa.push_back(a.stream("arrivals").next_u64());
    xb.push_back(b.stream("arrivals").next_u64());
    xc.push_back(c.stream("arrivals").next_u64());
    xo.push_back(a.stream("service").next_u64());
  }
  CHECK(xa == xb);
  CHECK(xa != xc);
  CHECK(xa != xo);
}

TEST_CASE("drawing from one stream does not shift another") {
  RandomStreams a(7), b(7);
  for (int i = 0; i < 1000; ++i) a.stream("noise").next_u64();
  CHECK(a.stream("arrivals").next_u64() == b.stream("arrivals").next_u64());
}

TEST_CASE("uniform01 lies in [0,1) with mean 1/2 and variance 1/12") {
  RandomStream r(1);
  double lo = 1, hi = 0;
  auto m = sample_moments(kN, [&] {
    const double u = r.uniform01();
    lo = std::min(lo, u);
    hi = std::max(hi, u);
    return u;
  });
  CHECK(lo >= 0.0);
  CHECK(hi < 1.0);
  check_mean(m, 0.5, 1.0 / 12, kN);
  check_variance(m, 1.0 / 12, 0.01);
}

TEST_CASE("below(n) is uniform over 0..n-1") {
  RandomStream r(2);
  std::vector<int> counts(6, 0);
  for (int i = 0; i < 600'000; ++i) counts[r.below(6)]++;
  // Each count is Binomial(600k, 1/6): sd ~ 289; 5 sd = 1443.
  for (int c : counts) CHECK(std::abs(c - 100'000) < 1443);
}

TEST_CASE("exponential(rate) has mean 1/rate and variance 1/rate^2") {
  RandomStream r(3);
  const double rate = 4.0;
  auto m = sample_moments(kN, [&] { return r.exponential(rate); });
  check_mean(m, 0.25, 0.0625, kN);
  check_variance(m, 0.0625, 0.03);
}

TEST_CASE("normal(mean, sd) has the given moments") {
  RandomStream r(4);
  auto m = sample_moments(kN, [&] { return r.normal(10.0, 3.0); });
  check_mean(m, 10.0, 9.0, kN);
  check_variance(m, 9.0, 0.02);
}

TEST_CASE("lognormal(mu, sigma) has mean exp(mu + sigma^2/2)") {
  RandomStream r(5);
  const double mu = 1.0, sigma = 0.5;
  const double mean = std::exp(mu + sigma * sigma / 2);
  const double var = (std::exp(sigma * sigma) - 1) * std::exp(2 * mu + sigma * sigma);
  auto m = sample_moments(kN, [&] { return r.lognormal(mu, sigma); });
  check_mean(m, mean, var, kN);
  check_variance(m, var, 0.05);
}

TEST_CASE("lognormal from mean and cv reproduces both") {
  RandomStream r(6);
  auto m = sample_moments(kN, [&] { return r.lognormal_mean_cv(2.0, 0.8); });
  const double var = (0.8 * 2.0) * (0.8 * 2.0);
  check_mean(m, 2.0, var, kN);
  check_variance(m, var, 0.08);
}

TEST_CASE("gamma(k, theta) has mean k*theta and variance k*theta^2, for k above and below 1") {
  for (double k : {0.3, 1.0, 2.5, 9.0}) {
    RandomStream r(static_cast<std::uint64_t>(k * 100));
    const double theta = 1.5;
    auto m = sample_moments(kN, [&] { return r.gamma(k, theta); });
    INFO("shape " << k);
    check_mean(m, k * theta, k * theta * theta, kN);
    check_variance(m, k * theta * theta, 0.05);
  }
}

TEST_CASE("pareto(x_min, alpha) has mean alpha*x_min/(alpha-1) and the right tail") {
  RandomStream r(8);
  const double xm = 2.0, alpha = 5.0;  // alpha > 4 so the variance of the sample mean is finite
  const double mean = alpha * xm / (alpha - 1);
  const double var = xm * xm * alpha / ((alpha - 1) * (alpha - 1) * (alpha - 2));
  int above = 0;
  auto m = sample_moments(kN, [&] {
    const double x = r.pareto(xm, alpha);
    if (x > 2 * xm) ++above;
    return x;
  });
  check_mean(m, mean, var, kN);
  // P(X > 2 x_min) = 2^-alpha = 1/32.
  const double p = 1.0 / 32, se = std::sqrt(p * (1 - p) / kN);
  CHECK(std::fabs(static_cast<double>(above) / kN - p) < 5 * se);
}

TEST_CASE("invalid distribution parameters are rejected") {
  RandomStream r(9);
  CHECK_THROWS_AS(r.exponential(0), std::invalid_argument);
  CHECK_THROWS_AS(r.gamma(-1, 1), std::invalid_argument);
  CHECK_THROWS_AS(r.pareto(0, 1), std::invalid_argument);
  CHECK_THROWS_AS(r.below(0), std::invalid_argument);
}
