#include <catch2/catch.hpp>

#include "sim/engine/time.hpp"

using namespace cs;
using namespace cs::time_literals;

TEST_CASE("time literals convert to integer nanoseconds") {
  CHECK((2_us).count_ns() == 2'000);
  CHECK((5_min).count_ns() == 300'000'000'000);
  CHECK((1_h).count_ns() == 3'600'000'000'000);
  CHECK((24_h * 7).count_ns() == 604'800'000'000'000);  // a week: 6.048e14 ns
  CHECK((1_s + 250_ms).seconds() == 1.25);
}

TEST_CASE("durations from rates round up and never reach zero") {
  // 1 byte over a 3 GB/s link: 0.333... ns rounds up to 1 ns.
  CHECK(Time::from_seconds_ceil(1.0 / 3e9).count_ns() == 1);
  CHECK(Time::from_seconds_ceil(1e-15).count_ns() == 1);
  CHECK(Time::from_seconds_ceil(0.0).count_ns() == 0);
  // 1 MB at 3 GB/s = 333,333.33 ns -> 333,334 ns.
  CHECK(Time::from_seconds_ceil(1e6 / 3e9).count_ns() == 333'334);
  CHECK(Time::from_seconds_round(1e6 / 3e9).count_ns() == 333'333);
}

TEST_CASE("durations outside the clock range are rejected") {
  CHECK_THROWS_AS(Time::from_seconds_ceil(1e10), std::range_error);
  CHECK_THROWS_AS(Time::from_seconds_ceil(std::nan("")), std::range_error);
}

TEST_CASE("durations format for people") {
  CHECK(format_duration(1500_us) == "1.500 ms");
  CHECK(format_duration(90_s) == "1m 30.0s");
  CHECK(format_duration(26_h + 3_min) == "1d 02h 03m 00.0s");
}

TEST_CASE("time arithmetic saturates at the ends of the range instead of wrapping") {
  // "never" plus a delay is still never (today's scheduler computes now + duration for jobs
  // whose remaining time may be Time::max()).
  CHECK(Time::max() + 1_s == Time::max());
  CHECK(Time::max() + Time::max() == Time::max());
  // A week-long instant plus 300 years clamps to the end instead of becoming negative.
  CHECK(24_h * 7 + 24_h * 365 * 300 == Time::max());
  CHECK(Time::min() - 1_ns == Time::min());
  CHECK(Time{} - Time::max() - 2_ns == Time::min());
  CHECK(1_h * (std::int64_t{1} << 40) == Time::max());
  CHECK(1_h * -(std::int64_t{1} << 40) == Time::min());
  // Inside the range nothing changes.
  CHECK((1_s - 2_s).count_ns() == -1'000'000'000);
  Time t = 5_s;
  t += 2_s;
  t -= 1_s;
  CHECK(t == 6_s);
}

TEST_CASE("unit constructors saturate at the ends of the range like multiplication") {
  // 10^10 s is 10^19 ns, past int64's 9.22e18: it clamps to "never" instead of wrapping.
  CHECK(Time::s(10'000'000'000) == Time::max());
  CHECK(Time::s(-10'000'000'000) == Time::min());
  CHECK(Time::ms(std::numeric_limits<std::int64_t>::max() / 1'000'000 + 1) == Time::max());
  CHECK(Time::us(std::numeric_limits<std::int64_t>::min() / 1'000 - 1) == Time::min());
  // The last whole second inside the range is exact: 9,223,372,036 s.
  CHECK(Time::s(9'223'372'036).count_ns() == 9'223'372'036'000'000'000);
  CHECK(Time::s(9'223'372'037) == Time::max());
  CHECK(Time::ms(-3).count_ns() == -3'000'000);
  // Literals in minutes and hours saturate too (10^17 h is far past 292 years).
  CHECK(100'000'000'000'000'000_h == Time::max());
  // int64 max / (60e9 ns per minute) = 153,722,867.28: the next whole minute is past the end.
  CHECK(153'722'868_min == Time::max());
  CHECK((153'722'867_min).count_ns() == 153'722'867 * std::int64_t{60'000'000'000});
}
