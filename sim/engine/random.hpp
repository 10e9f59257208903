#pragma once
// Seeded random streams with our own distributions, so a scenario gives the same numbers
// with any standard library (std::*_distribution differ between implementations).
//
// Generator: xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom number
// generators", 2021), seeded through splitmix64. Each stream is seeded from the run seed and
// the stream's name, so adding a stream for one purpose never shifts the numbers of another.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace cs {

class RandomStream {
 public:
  explicit RandomStream(std::uint64_t seed);

  std::uint64_t next_u64();
  // Uniform on [0, 1) with 53 random bits.
  double uniform01();
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }
  // Uniform integer on [0, n), without modulo bias (Lemire's method).
  std::uint64_t below(std::uint64_t n);
  double exponential(double rate);
  double normal(double mean, double stddev);
  // exp(N(mu, sigma)): mu and sigma are of the underlying normal.
  double lognormal(double mu, double sigma);
  // Lognormal with the given mean and coefficient of variation (stddev / mean).
  double lognormal_mean_cv(double mean, double cv);
  // Gamma(shape k, scale theta): mean k·theta, variance k·theta².
  double gamma(double shape, double scale);
  // Pareto type I: P(X > x) = (x_min / x)^alpha for x >= x_min.
  double pareto(double x_min, double alpha);

 private:
  std::uint64_t s_[4];
  double spare_normal_ = 0;
  bool has_spare_normal_ = false;
};

class RandomStreams {
 public:
  explicit RandomStreams(std::uint64_t seed) : seed_(seed) {}
  RandomStream& stream(std::string_view name);
  std::uint64_t seed() const { return seed_; }

 private:
  std::uint64_t seed_;
  std::map<std::string, RandomStream, std::less<>> streams_;
};

// The seed of stream `name` in a run with seed `run_seed` (FNV-1a of the name, mixed).
std::uint64_t stream_seed(std::uint64_t run_seed, std::string_view name);

}  // namespace cs
