#include <catch2/catch.hpp>

#include <stdexcept>

#include "workloads/csv_line_split.hpp"
#include "workloads/trace_field_parse.hpp"

using namespace cs;

TEST_CASE("decimal seconds become exact nanoseconds without going through double") {
  CHECK(parse_decimal_scaled("1.5", 9) == 1'500'000'000);
  // 1700158623.9799600 s: a double holds only ~16 significant digits, the integer path all 17.
  CHECK(parse_decimal_scaled("1700158623.9799600", 9) == 1'700'158'623'979'960'000);
  CHECK(parse_decimal_scaled("27482", 6) == 27'482'000'000);  // ms
  CHECK(parse_decimal_scaled("2.5e-3", 9) == 2'500'000);
  CHECK(parse_decimal_scaled("1E3", 0) == 1000);
  CHECK(parse_decimal_scaled("0.005", 3) == 5);
  CHECK(parse_decimal_scaled("-12.25", 2) == -1225);
  CHECK(parse_decimal_scaled("+7", 0) == 7);
  CHECK(parse_decimal_scaled(".5", 1) == 5);
}

TEST_CASE("digits below a nanosecond round half away from zero and report inexactness") {
  bool exact = true;
  CHECK(parse_decimal_scaled("0.0000000015", 9, &exact) == 2);  // 1.5 ns
  CHECK_FALSE(exact);
  CHECK(parse_decimal_scaled("0.0000000014", 9, &exact) == 1);
  CHECK(parse_decimal_scaled("0.00000000049", 9, &exact) == 0);
  CHECK(parse_decimal_scaled("-0.5", 0) == -1);
  CHECK(parse_decimal_scaled("12.000", 0, &exact) == 12);
  CHECK(exact);
}

TEST_CASE("malformed or overflowing numbers are rejected") {
  for (const char* bad : {"", "-", ".", "abc", "1.2.3", "1e", "1e+", "12a", "1 2", "0x10", "1e999"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_decimal_scaled(bad, 0), std::invalid_argument);
  }
  CHECK(parse_decimal_scaled("9223372036854775807", 0) == INT64_MAX);
  CHECK_THROWS_AS(parse_decimal_scaled("9223372036854775808", 0), std::invalid_argument);
  CHECK_THROWS_AS(parse_decimal_scaled("9300000000", 9), std::invalid_argument);  // > 292 years in ns
}

TEST_CASE("token counts are whole and non-negative") {
  CHECK(parse_count("4808") == 4808);
  CHECK(parse_count("12.0") == 12);
  CHECK(parse_count("0") == 0);
  CHECK_THROWS_WITH(parse_count("-5"), Catch::Contains("negative"));
  CHECK_THROWS_WITH(parse_count("2.5"), Catch::Contains("not a whole number"));
  CHECK_THROWS_WITH(parse_count("ten"), Catch::Contains("not a number"));
}

TEST_CASE("civil dates count days from 1970-01-01") {
  CHECK(days_from_civil(1970, 1, 1) == 0);
  CHECK(days_from_civil(1969, 12, 31) == -1);
  // 30 years of 365 days plus 7 leap days (1972..1996) to 2000-01-01, then 31 + 29 days.
  CHECK(days_from_civil(2000, 3, 1) == 30 * 365 + 7 + 31 + 29);
  CHECK(days_from_civil(2023, 11, 16) == 19677);  // `date -u -d 2023-11-16 +%s` / 86400
}

TEST_CASE("wall-clock timestamps with seven fractional digits parse to the nanosecond") {
  // `date -u -d '2023-11-16 18:17:03' +%s` = 1700158623; .9799600 s = 979,960,000 ns.
  CHECK(parse_wall_clock_ns("2023-11-16 18:17:03.9799600") == 1'700'158'623'979'960'000);
  CHECK(parse_wall_clock_ns("2023-11-16T18:17:03.9799600Z") == 1'700'158'623'979'960'000);
  CHECK(parse_wall_clock_ns("2023-11-16 18:17:03") == 1'700'158'623'000'000'000);
  CHECK(parse_wall_clock_ns("2024-02-29 00:00:00.5") - parse_wall_clock_ns("2024-02-28 00:00:00") ==
        86'400'500'000'000);
}

TEST_CASE("impossible wall-clock timestamps are rejected") {
  for (const char* bad : {"2023-11-16", "2023-13-01 00:00:00", "2023-02-29 00:00:00", "2023-11-16 24:00:00",
                          "2023-11-16 18:60:00", "2023/11/16 18:17:03", "2023-11-16 18:17:03.", "2023-11-16 18:17:03.1234567890",
                          "2023-11-16 18:17:03.12a", "2023-11-16 18:17:03 "}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_wall_clock_ns(bad), std::invalid_argument);
  }
}

TEST_CASE("CSV lines split on the delimiter with quotes and trimmed blanks") {
  CsvLineSplitter split;
  auto f = split.split("a, b ,\"c,d\",\"say \"\"hi\"\"\",");
  REQUIRE(f.size() == 5);
  CHECK(f[0] == "a");
  CHECK(f[1] == "b");
  CHECK(f[2] == "c,d");
  CHECK(f[3] == "say \"hi\"");
  CHECK(f[4] == "");
  CsvLineSplitter tabs('\t');
  auto g = tabs.split("1\t\t3");
  REQUIRE(g.size() == 3);
  CHECK(g[1] == "");
  CHECK_THROWS_AS(split.split("\"open"), std::invalid_argument);
  CHECK_THROWS_AS(split.split("\"x\"y,1"), std::invalid_argument);
}
