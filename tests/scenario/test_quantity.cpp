#include <catch2/catch.hpp>

#include "sim/scenario/quantity.hpp"

using namespace cs;
using D = Dimension;

TEST_CASE("sizes: decimal and binary multiples are told apart") {
  CHECK(parse_quantity("80 GiB", D::kBytes) == 80.0 * 1073741824.0);
  CHECK(parse_quantity("80 GB", D::kBytes) == 80e9);
  CHECK(parse_quantity("700GB", D::kBytes) == 700e9);
  CHECK(parse_quantity("1.5 TiB", D::kBytes) == 1.5 * 1099511627776.0);
  CHECK(parse_quantity("512 MB", D::kBytes) == 512e6);
  CHECK(parse_quantity("4 KiB", D::kBytes) == 4096);
  CHECK(parse_quantity("64 B", D::kBytes) == 64);
  CHECK(parse_quantity("0", D::kBytes) == 0);
}

TEST_CASE("bandwidths: bytes per second and bits per second") {
  CHECK(parse_quantity("900 GB/s", D::kBandwidth) == 900e9);
  CHECK(parse_quantity("400 Gbps", D::kBandwidth) == 50e9);  // 400e9 bits / 8
  CHECK(parse_quantity("400 Gb/s", D::kBandwidth) == 50e9);
  CHECK(parse_quantity("100 Mbps", D::kBandwidth) == 12.5e6);
  CHECK(parse_quantity("3.35 TB/s", D::kBandwidth) == Approx(3.35e12).epsilon(1e-15));
  CHECK(parse_quantity("25 GiB/s", D::kBandwidth) == 25.0 * 1073741824.0);
}

TEST_CASE("durations parse exactly to the nanosecond") {
  CHECK(parse_duration("2.5 us").count_ns() == 2'500);
  CHECK(parse_duration("2.5 µs").count_ns() == 2'500);
  CHECK(parse_duration("5 min").count_ns() == 300'000'000'000);
  CHECK(parse_duration("1.5 h").count_ns() == 5'400'000'000'000);
  CHECK(parse_duration("0.1 s").count_ns() == 100'000'000);
  CHECK(parse_duration("90s").count_ns() == 90'000'000'000);
  CHECK(parse_duration("1e-3 s").count_ns() == 1'000'000);
  CHECK(parse_duration("2 days").count_ns() == 172'800'000'000'000);
  CHECK(parse_duration("1 week").count_ns() == 604'800'000'000'000);
  // A fraction of a nanosecond rounds up rather than to zero.
  CHECK(parse_duration("0.4 ns").count_ns() == 1);
  CHECK(parse_quantity("250 ms", D::kDuration) == 0.25);
}

TEST_CASE("power, compute, money, rates, ratios and counts") {
  CHECK(parse_quantity("700 W", D::kPower) == 700);
  CHECK(parse_quantity("10.2 kW", D::kPower) == Approx(10200));
  CHECK(parse_quantity("312 TFLOP/s", D::kFlopRate) == 312e12);
  CHECK(parse_quantity("989 TFLOPS", D::kFlopRate) == 989e12);
  CHECK(parse_quantity("1979 TOPS", D::kFlopRate) == 1979e12);
  CHECK(parse_quantity("3.14e23", D::kFlops) == 3.14e23);
  CHECK(parse_quantity("350 TFLOP", D::kFlops) == 350e12);
  CHECK(parse_quantity("5 EFLOP", D::kFlops) == 5e18);
  CHECK(parse_quantity("$2.21/h", D::kUsdPerHour) == 2.21);
  CHECK(parse_quantity("2.21 USD/hour", D::kUsdPerHour) == 2.21);
  CHECK(parse_quantity("$0.10/kWh", D::kUsdPerKwh) == 0.10);
  CHECK(parse_quantity("$0.09/GB", D::kUsdPerGb) == 0.09);
  CHECK(parse_quantity("$560000", D::kUsd) == 560000);
  CHECK(parse_quantity("40/s", D::kRate) == 40);
  CHECK(parse_quantity("40 req/s", D::kRate) == 40);
  CHECK(parse_quantity("2400/min", D::kRate) == 40);
  CHECK(parse_quantity("10x", D::kRatio) == 10);
  CHECK(parse_quantity("50%", D::kRatio) == 0.5);
  CHECK(parse_quantity("0.25", D::kRatio) == 0.25);
  CHECK(parse_quantity("175B", D::kCount) == 175e9);
  CHECK(parse_quantity("1.5T", D::kCount) == 1.5e12);
  CHECK(parse_quantity("8k", D::kCount) == 8000);
  CHECK(parse_quantity("4096", D::kCount) == 4096);
}

TEST_CASE("wrong or missing units are rejected with what was expected") {
  CHECK_THROWS_AS(parse_quantity("80", D::kBytes), QuantityError);          // unit required
  CHECK_THROWS_AS(parse_quantity("80 Gbps", D::kBytes), QuantityError);     // a bandwidth, not a size
  CHECK_THROWS_AS(parse_quantity("900 GB", D::kBandwidth), QuantityError);  // a size, not a bandwidth
  CHECK_THROWS_AS(parse_quantity("GB/s", D::kBandwidth), QuantityError);    // no number
  CHECK_THROWS_AS(parse_quantity("5 gib", D::kBytes), QuantityError);       // units are case-sensitive
  CHECK_THROWS_AS(parse_quantity("2.21/h", D::kUsdPerHour), QuantityError);
  CHECK_THROWS_AS(parse_quantity("$2.21", D::kUsdPerHour), QuantityError);
  CHECK_THROWS_AS(parse_quantity("10 y", D::kRatio), QuantityError);
  CHECK_THROWS_AS(parse_quantity("1.2.3 s", D::kDuration), QuantityError);
  CHECK_THROWS_AS(parse_duration("5 mins"), QuantityError);
  CHECK_THROWS_AS(parse_duration("5"), QuantityError);
  CHECK_THROWS_AS(parse_duration("1000 weeks 2"), QuantityError);
  CHECK_THROWS_AS(parse_duration("400 years"), QuantityError);
  CHECK_THROWS_AS(parse_duration("20000 weeks"), QuantityError);  // past int64 ns (292 years)
  try {
    parse_quantity("80 Gbps", D::kBytes);
  } catch (const QuantityError& e) {
    CHECK_THAT(e.what(), Catch::Contains("a size such as 80 GiB"));
    CHECK_THAT(e.what(), Catch::Contains("unknown unit \"Gbps\""));
  }
}
