#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <utility>
#include <vector>

#include "drain_source.hpp"
#include "workloads/demand_presets.hpp"
#include "workloads/synthetic_request_source.hpp"

using namespace cs;
using namespace cs::time_literals;
using cs::test::drain;

TEST_CASE("a synthetic source with the same seed repeats itself exactly") {
  SyntheticWorkloadSpec spec;
  spec.arrivals = {ArrivalKind::kGamma, 20.0, 2.0};
  spec.lengths.input = {DistributionKind::kLognormal, 1000, 1.5};
  spec.lengths.output = {DistributionKind::kUniform, 0, 0, 10, 500};
  spec.demand = demand_preset("flash_burst");
  spec.diurnal = {Time::s(600), 0.5, Time()};
  spec.end = 1_h;
  SyntheticRequestSource a(spec, 42), b(spec, 42), c(spec, 43);
  const auto ra = drain(a), rb = drain(b), rc = drain(c);
  REQUIRE(ra.size() == rb.size());
  for (std::size_t i = 0; i < ra.size(); ++i) {
    REQUIRE(ra[i].arrival == rb[i].arrival);
    REQUIRE(ra[i].input_tokens == rb[i].input_tokens);
    REQUIRE(ra[i].output_tokens == rb[i].output_tokens);
  }
  CHECK(ra.size() != rc.size());
  CHECK(ra.back().arrival < 1_h);
}

TEST_CASE("Poisson arrivals under launch_day follow the integral of the multiplier") {
  SyntheticWorkloadSpec spec;
  spec.arrivals = {ArrivalKind::kPoisson, 2.0, 1.0};
  spec.demand = demand_preset("launch_day");
  spec.end = 24_h;
  SyntheticRequestSource source(spec, 7);
  // Windows at the profile's corners; expected = 2/s × ∫m: 1 h·1, 3 h·5.5, 6 h·10, 12 h·6, 2 h·2.
  const double hour = 3600;
  const double edges[] = {0, 1 * hour, 4 * hour, 10 * hour, 22 * hour, 24 * hour};
  const double expected[] = {2 * hour, 2 * 3 * hour * 5.5, 2 * 6 * hour * 10, 2 * 12 * hour * 6, 2 * 2 * hour * 2};
  double counts[5] = {};
  Time last;
  while (auto r = source.next()) {
    REQUIRE(r->arrival >= last);
    last = r->arrival;
    for (int w = 0; w < 5; ++w) {
      if (r->arrival.seconds() >= edges[w] && r->arrival.seconds() < edges[w + 1]) counts[w] += 1;
    }
  }
  for (int w = 0; w < 5; ++w) {
    INFO("window " << w);
    CHECK(counts[w] == Approx(expected[w]).margin(5 * std::sqrt(expected[w])));  // 5 σ of a Poisson count
  }
}

TEST_CASE("Gamma arrivals keep their burstiness when the demand multiplies the rate") {
  SyntheticWorkloadSpec spec;
  spec.arrivals = {ArrivalKind::kGamma, 5.0, 3.0};
  spec.demand = DemandProfile::constant(10);
  spec.max_requests = 200'000;
  SyntheticRequestSource source(spec, 11);
  double prev = 0, sum = 0, sum2 = 0;
  int n = 0;
  while (auto r = source.next()) {
    const double gap = r->arrival.seconds() - prev;
    prev = r->arrival.seconds();
    sum += gap;
    sum2 += gap * gap;
    ++n;
  }
  CHECK(n == 200'000);
  const double mean = sum / n;
  CHECK(mean == Approx(1.0 / 50).epsilon(0.03));  // 5/s × 10; se = cv/sqrt(n) = 0.7%
  CHECK(std::sqrt(sum2 / n - mean * mean) / mean == Approx(3.0).epsilon(0.06));
}

TEST_CASE("a diurnal cycle puts more arrivals in the peak half of each period") {
  SyntheticWorkloadSpec spec;
  spec.arrivals = {ArrivalKind::kPoisson, 10.0, 1.0};
  spec.diurnal = {Time::s(3600), 0.5, Time::s(1800)};
  spec.end = 10_h;
  SyntheticRequestSource source(spec, 5);
  double peak_half = 0, trough_half = 0;
  while (auto r = source.next()) {
    const double phase = std::fmod(r->arrival.seconds(), 3600.0);
    (phase >= 900 && phase < 2700 ? peak_half : trough_half) += 1;
  }
  // Per period: 10/s × (1800 ± A·P/π) = 10 × (1800 ± 572.96); ten periods.
  CHECK(peak_half == Approx(10 * 10 * (1800 + 0.5 * 3600 / M_PI)).margin(5 * std::sqrt(237'296.0)));
  CHECK(trough_half == Approx(10 * 10 * (1800 - 0.5 * 3600 / M_PI)).margin(5 * std::sqrt(122'704.0)));
}

TEST_CASE("token lengths are whole, at least one, capped, and resampled pairs stay pairs") {
  SyntheticWorkloadSpec spec;
  spec.arrivals = {ArrivalKind::kDeterministic, 100.0, 1.0};
  spec.lengths.input = {DistributionKind::kLognormal, 2000, 2.0};
  spec.lengths.output = {DistributionKind::kExponential, 0.3};
  spec.lengths.max_input_tokens = 8192;
  spec.max_requests = 20'000;
  SyntheticRequestSource source(spec, 1);
  double input_sum = 0;
  bool bounds_ok = true;
  while (auto r = source.next()) {
    bounds_ok = bounds_ok && r->input_tokens >= 1 && r->input_tokens <= 8192 && r->output_tokens >= 1;
    input_sum += static_cast<double>(r->input_tokens);
  }
  CHECK(bounds_ok);
  CHECK(input_sum / 20'000 < 2000);  // the cap cuts the lognormal's long tail

  spec.lengths.resample = std::make_shared<EmpiricalLengths>(std::vector<TokenLengths>{{100, 7}, {2000, 300}, {50, 1}});
  spec.lengths.max_input_tokens = 0;
  SyntheticRequestSource resampled(spec, 1);
  std::set<std::pair<std::int64_t, std::int64_t>> seen;
  int n = 0;
  while (auto r = resampled.next()) {
    seen.insert({r->input_tokens, r->output_tokens});
    ++n;
  }
  CHECK(n == 20'000);
  CHECK(seen == std::set<std::pair<std::int64_t, std::int64_t>>{{100, 7}, {2000, 300}, {50, 1}});
}

TEST_CASE("deterministic arrivals start one gap after the start and stop before the end") {
  SyntheticWorkloadSpec spec;
  spec.arrivals = {ArrivalKind::kDeterministic, 4.0, 1.0};
  spec.start = 10_s;
  spec.end = 12_s;
  SyntheticRequestSource source(spec, 0);
  const auto rs = drain(source);
  REQUIRE(rs.size() == 7);  // 10.25, 10.5, ..., 11.75
  CHECK(rs.front().arrival == Time::ms(10'250));
  CHECK(rs.back().arrival == Time::ms(11'750));
}
