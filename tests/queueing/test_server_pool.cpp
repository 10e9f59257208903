#include <catch2/catch.hpp>

#include <cmath>

#include "sim/metrics/latency_histogram.hpp"
#include "sim/queueing/server_pool.hpp"

using namespace cs;

namespace {

// Erlang C: probability that an arrival waits in an M/M/c queue with offered load a = λ/μ.
double erlang_c(int c, double a) {
  double term = 1, sum = 0;
  for (int k = 0; k < c; ++k) {
    sum += term;
    term *= a / (k + 1);
  }
  const double top = term * c / (c - a);  // a^c/c! · c/(c−a)
  return top / (sum + top);
}

struct PoolRun {
  double mean_wait_s = 0;
  double utilization = 0;
  std::uint64_t completed = 0;
};

PoolRun simulate(const ServerPoolSpec& spec, double horizon_s, std::uint64_t seed) {
  Engine engine(seed);
  ServerPool pool(engine, spec);
  LatencyHistogram wait;
  pool.on_job_done.connect([&](const JobRecord& j) { wait.add((j.start - j.arrival).seconds()); });
  pool.start(Time::from_seconds_round(horizon_s));
  engine.run_until(Time::from_seconds_round(horizon_s));
  return {wait.mean(), pool.busy_server_seconds() / (spec.servers * horizon_s), pool.completed()};
}

}  // namespace

TEST_CASE("Erlang C by hand: c=4, a=3 gives P(wait)=0.5094") {
  // sum_{k<4} 3^k/k! = 1 + 3 + 4.5 + 4.5 = 13; 3^4/4! · 4/(4−3) = 13.5; 13.5 / 26.5 = 0.50943
  CHECK(erlang_c(4, 3.0) == Approx(13.5 / 26.5).epsilon(1e-12));
}

TEST_CASE("an M/M/4 pool at 75% load waits Erlang C's mean: Wq = C/(cμ−λ) = 0.509 s") {
  ServerPoolSpec spec;
  spec.arrivals = {ArrivalKind::kPoisson, 3.0, 1.0};
  spec.service_time_s = {DistributionKind::kExponential, 1.0, 0, 0, 0};
  spec.servers = 4;
  const PoolRun r = simulate(spec, 400'000, 17);  // ~1.2 million jobs
  const double expected = erlang_c(4, 3.0) / (4 * 1.0 - 3.0);
  CHECK(r.mean_wait_s == Approx(expected).epsilon(0.04));
  // Little's law on the servers: mean busy servers = λ·E[S] = 3, i.e. utilization 0.75.
  CHECK(r.utilization == Approx(0.75).epsilon(0.01));
}

TEST_CASE("an M/D/1 queue waits Pollaczek-Khinchine's mean: Wq = ρ·S / (2(1−ρ))") {
  ServerPoolSpec spec;
  spec.arrivals = {ArrivalKind::kPoisson, 0.8, 1.0};
  spec.service_time_s = {DistributionKind::kFixed, 1.0, 0, 0, 0};
  spec.servers = 1;
  const PoolRun r = simulate(spec, 400'000, 5);
  // ρ = 0.8: Wq = 0.8 · 1 / (2 · 0.2) = 2.0 s
  CHECK(r.mean_wait_s == Approx(2.0).epsilon(0.05));
}

TEST_CASE("more servers never increase waiting on the same arrivals") {
  ServerPoolSpec spec;
  spec.arrivals = {ArrivalKind::kGamma, 9.0, 2.0};
  spec.service_time_s = {DistributionKind::kLognormal, 1.0, 0.8, 0, 0};
  spec.servers = 10;
  const PoolRun few = simulate(spec, 20'000, 3);
  spec.servers = 12;
  const PoolRun more = simulate(spec, 20'000, 3);
  CHECK(more.mean_wait_s < few.mean_wait_s);
}

TEST_CASE("a pool without servers is refused") {
  Engine engine(1);
  ServerPoolSpec spec;
  spec.arrivals = {ArrivalKind::kPoisson, 1.0, 1.0};
  spec.service_time_s = {DistributionKind::kFixed, 1.0, 0, 0, 0};
  spec.servers = 0;
  CHECK_THROWS_AS(ServerPool(engine, spec), std::invalid_argument);
}
