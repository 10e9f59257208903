#pragma once
// Exact parsing of the numbers traces hold. Times are decimal text turned into integer
// nanoseconds digit by digit: going through double would round 1700158623.9799600 s to a
// neighbouring representable value and shift arrivals by up to ~100 ns.
// Every function throws std::invalid_argument with a short reason naming the text.
#include <cstdint>
#include <string_view>

namespace cs {

// Decimal number (optional sign, digits, optional fraction, optional e/E exponent) times
// 10^scale_pow10, rounded to the nearest integer (halves away from zero). `exact` (when given)
// says whether no rounding was needed. Throws on malformed text or int64 overflow.
std::int64_t parse_decimal_scaled(std::string_view text, int scale_pow10, bool* exact = nullptr);

// A token count: a whole, non-negative number ("12", also "12.0" and "1e3" as spreadsheets
// and pandas write them).
std::int64_t parse_count(std::string_view text);

// Wall-clock "YYYY-MM-DD HH:MM:SS[.fraction]" ('T' also accepted between date and time, a
// trailing 'Z' ignored; up to 9 fractional digits) as nanoseconds since 1970-01-01 00:00:00,
// without time zones: only differences between rows are used.
std::int64_t parse_wall_clock_ns(std::string_view text);

// Days from 1970-01-01 to the proleptic Gregorian date y-m-d (negative before 1970).
std::int64_t days_from_civil(std::int64_t year, int month, int day);

}  // namespace cs
