#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>

#include "workloads/demand_presets.hpp"
#include "workloads/demand_profile.hpp"

using namespace cs;
using namespace cs::time_literals;

TEST_CASE("a demand profile interpolates linearly and holds its ends") {
  DemandProfile p({{10_s, 1.0}, {20_s, 3.0}, {20_s, 0.5}, {30_s, 0.5}});
  CHECK(p.at(0_s) == 1.0);
  CHECK(p.at(15_s) == Approx(2.0));
  CHECK(p.at(20_s) == 0.5);  // the step takes the later point's value
  CHECK(p.at(100_s) == 0.5);
  CHECK(p.peak() == 3.0);
  // ∫0..40: 10·1 + 10·(1+3)/2 + 10·0.5 + 10·0.5 = 10 + 20 + 5 + 5 = 40.
  CHECK(p.integral(0_s, 40_s) == Approx(40.0));
  CHECK(p.integral(15_s, 25_s) == Approx(5 * 2.5 + 5 * 0.5));
  CHECK(p.integral(25_s, 15_s) == Approx(-(5 * 2.5 + 5 * 0.5)));
}

TEST_CASE("impossible demand profiles are rejected") {
  CHECK_THROWS_AS(DemandProfile(std::vector<DemandPoint>{}), std::invalid_argument);
  CHECK_THROWS_AS(DemandProfile({{10_s, 1.0}, {5_s, 1.0}}), std::invalid_argument);
  CHECK_THROWS_AS(DemandProfile({{0_s, -1.0}}), std::invalid_argument);
  CHECK_THROWS_AS(DemandProfile({{0_s, NAN}}), std::invalid_argument);
}

TEST_CASE("launch_day ramps to 10x within hours, holds, and settles at 2x") {
  const auto p = demand_preset("launch_day");
  CHECK(p.at(30_min) == 1.0);
  CHECK(p.at(Time::s(2 * 3600 + 1800)) == Approx(5.5));  // halfway up the 1 h..4 h ramp
  CHECK(p.at(4_h) == 10.0);
  CHECK(p.at(10_h) == 10.0);
  CHECK(p.at(16_h) == Approx(6.0));  // halfway down 10 h..22 h from 10x to 2x
  CHECK(p.at(48_h) == 2.0);
  // A day: 1 h·1 + 3 h·5.5 + 6 h·10 + 12 h·6 + 2 h·2 = 153.5 multiplier·hours.
  CHECK(p.integral(0_s, 24_h) == Approx(153.5 * 3600));
}

TEST_CASE("weekly_growth grows 50% per week and follows the exponential closely") {
  const auto p = demand_preset("weekly_growth");
  const Time week = 24_h * 7;
  CHECK(p.at(Time()) == 1.0);
  CHECK(p.at(week) == Approx(1.5));
  CHECK(p.at(week * 2) == Approx(2.25));
  // Between samples: within 1e-6 of 1.5^(t/week) (chord error bound (k·1h)²/8 ≈ 7e-7).
  const Time t = week + Time::s(1800);
  CHECK(p.at(t) == Approx(std::pow(1.5, t.seconds() / week.seconds())).epsilon(1e-6));
  // ∫0..1 week of 1.5^(t/w) dt = w·(1.5 − 1)/ln 1.5.
  CHECK(p.integral(Time(), week) == Approx(week.seconds() * 0.5 / std::log(1.5)).epsilon(1e-6));
  CHECK(p.at(week * 10) == Approx(std::pow(1.5, 4)));  // flat after the 4-week horizon
}

TEST_CASE("flash_burst rises to 5x for five minutes and returns to 1x") {
  const auto p = demand_preset("flash_burst");
  CHECK(p.at(29_min) == 1.0);
  CHECK(p.at(Time::s(1800 + 15)) == Approx(3.0));
  CHECK(p.at(Time::s(1800 + 30 + 299)) == 5.0);
  CHECK(p.at(40_min) == 1.0);
  CHECK_THROWS_WITH(demand_preset("launchday"), Catch::Contains("launch_day"));
}
