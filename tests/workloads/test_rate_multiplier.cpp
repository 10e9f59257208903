#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <numbers>

#include "sim/engine/random.hpp"
#include "workloads/demand_presets.hpp"
#include "workloads/rate_multiplier.hpp"

using namespace cs;
using namespace cs::time_literals;

TEST_CASE("without profile or cycle the time change is the identity") {
  RateMultiplier m;
  CHECK(m.is_identity());
  CHECK(m.advance(5.0, 2.5) == 7.5);
}

TEST_CASE("a constant 4x multiplier makes operational time pass four times faster") {
  RateMultiplier m(DemandProfile::constant(4));
  CHECK(m.advance(10.0, 2.0) == Approx(10.5));
}

TEST_CASE("a linear ramp is inverted exactly") {
  // m(t) = t/10 on [0, 10] s, then 1. ∫0..T t/10 = T²/20: area 5 ends at T = 10; area 6 at 11.
  RateMultiplier m(DemandProfile({{0_s, 0.0}, {10_s, 1.0}}));
  CHECK(m.advance(0.0, 5.0) == Approx(10.0));
  CHECK(m.advance(0.0, 6.0) == Approx(11.0));
  CHECK(m.advance(0.0, 1.25) == Approx(5.0));  // 25/20
}

TEST_CASE("a multiplier that stays at zero ends the arrivals") {
  RateMultiplier m(DemandProfile({{0_s, 1.0}, {10_s, 0.0}}));
  // ∫0..10 (1 − t/10) = 5, nothing after.
  CHECK(m.advance(0.0, 4.0) < 10.0);
  CHECK(std::isinf(m.advance(0.0, 5.5)));
}

TEST_CASE("a diurnal cycle averages to 1 over its period") {
  DiurnalSpec d{Time::s(3600), 0.8, Time::s(900)};
  RateMultiplier m({}, d);
  CHECK(m.at(900) == Approx(1.8));
  CHECK(m.at(900 + 1800) == Approx(0.2));
  CHECK(m.integral(123.0, 123.0 + 3600) == Approx(3600));
  // Peak half-period: ∫ (1 + A cos) over ±P/4 around the peak = P/2 + A·P/π.
  CHECK(m.integral(0, 1800) == Approx(1800 + 0.8 * 3600 / std::numbers::pi));
}

TEST_CASE("advance inverts the integral under a profile times a diurnal cycle") {
  RateMultiplier m(launch_day_profile(), DiurnalSpec{Time::s(86400), 0.6, Time::s(14 * 3600)});
  RandomStream rng(3);
  double t = 0;
  for (int i = 0; i < 2000; ++i) {
    const double area = rng.exponential(0.002);  // gaps of 500 base-seconds on average
    const double next = m.advance(t, area);
    REQUIRE(next >= t);
    REQUIRE(m.integral(t, next) == Approx(area).epsilon(1e-9).margin(1e-9));
    t = next;
  }
  CHECK(t > 86400);  // crossed every piece of the profile
}
