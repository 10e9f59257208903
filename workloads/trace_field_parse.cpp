#include "workloads/trace_field_parse.hpp"

#include <limits>
#include <stdexcept>
#include <string>

namespace cs {

namespace {

[[noreturn]] void fail(std::string_view what, std::string_view text) {
  throw std::invalid_argument(std::string(what) + " '" + std::string(text) + "'");
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// value = value * 10 + digit, false on int64 overflow.
bool push_digit(std::int64_t& value, int digit) {
  return !__builtin_mul_overflow(value, 10, &value) && !__builtin_add_overflow(value, digit, &value);
}

}  // namespace

std::int64_t parse_decimal_scaled(std::string_view text, int scale_pow10, bool* exact) {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  // The mantissa's digits without the point; the value is 0.<digits> × 10^point.
  std::string digits;
  std::int64_t point = 0;
  bool seen_point = false;
  std::size_t mantissa_chars = 0;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (is_digit(c)) {
      ++mantissa_chars;
      if (digits.empty() && c == '0') {
        if (seen_point) --point;  // a zero right after the point moves the first digit down
        continue;
      }
      digits.push_back(c);
      if (!seen_point) ++point;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (mantissa_chars == 0) fail("not a number:", text);
  std::int64_t exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    if (i == text.size() || !is_digit(text[i])) fail("not a number:", text);
    for (; i < text.size() && is_digit(text[i]); ++i) {
      exponent = exponent * 10 + (text[i] - '0');
      if (exponent > 400) fail("exponent out of range in", text);
    }
    if (exp_negative) exponent = -exponent;
  }
  if (i != text.size()) fail("not a number:", text);
  point += exponent + scale_pow10;
  // Keep the digits before the point (zeros past the end of the text), round half away from
  // zero on the first digit after it.
  std::int64_t value = 0;
  bool is_exact = true;
  const auto count = static_cast<std::int64_t>(digits.size());
  for (std::int64_t k = 0; k < point; ++k) {
    const int d = k < count ? digits[static_cast<std::size_t>(k)] - '0' : 0;
    if (!push_digit(value, d)) fail("number out of range:", text);
  }
  for (std::int64_t k = point < 0 ? 0 : point; k < count; ++k) {
    if (digits[static_cast<std::size_t>(k)] != '0') is_exact = false;
  }
  if (point >= 0 && point < count && digits[static_cast<std::size_t>(point)] >= '5') {
    if (__builtin_add_overflow(value, 1, &value)) fail("number out of range:", text);
  }
  if (exact != nullptr) *exact = is_exact;
  return negative ? -value : value;
}

std::int64_t parse_count(std::string_view text) {
  bool exact = true;
  const std::int64_t n = parse_decimal_scaled(text, 0, &exact);
  if (!exact) fail("not a whole number:", text);
  if (n < 0) fail("negative count", text);
  return n;
}

std::int64_t days_from_civil(std::int64_t year, int month, int day) {
  // Counts days in 400-year eras starting on March 1st, so the leap day is the last day of
  // the shifted year (the method of H. Hinnant's "chrono-Compatible Low-Level Date
  // Algorithms", re-derived here).
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const std::int64_t year_of_era = year - era * 400;                              // [0, 399]
  const std::int64_t month_from_march = month > 2 ? month - 3 : month + 9;        // [0, 11]
  const std::int64_t day_of_year = (153 * month_from_march + 2) / 5 + day - 1;    // [0, 365]
  const std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;  // 719468: days from 0000-03-01 to 1970-01-01
}

std::int64_t parse_wall_clock_ns(std::string_view text) {
  std::string_view t = text;
  if (!t.empty() && t.back() == 'Z') t.remove_suffix(1);
  auto number = [&](std::size_t pos, std::size_t len) {
    std::int64_t v = 0;
    for (std::size_t k = pos; k < pos + len; ++k) {
      if (k >= t.size() || !is_digit(t[k])) fail("bad timestamp", text);
      v = v * 10 + (t[k] - '0');
    }
    return v;
  };
  auto expect = [&](std::size_t pos, char c1, char c2) {
    if (pos >= t.size() || (t[pos] != c1 && t[pos] != c2)) fail("bad timestamp", text);
  };
  // YYYY-MM-DD HH:MM:SS
  const std::int64_t year = number(0, 4);
  expect(4, '-', '-');
  const int month = static_cast<int>(number(5, 2));
  expect(7, '-', '-');
  const int day = static_cast<int>(number(8, 2));
  expect(10, ' ', 'T');
  const std::int64_t hour = number(11, 2);
  expect(13, ':', ':');
  const std::int64_t minute = number(14, 2);
  expect(16, ':', ':');
  const std::int64_t second = number(17, 2);
  static constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month < 1 || month > 12) fail("bad month in timestamp", text);
  const int month_days = kDaysInMonth[month - 1] + (month == 2 && leap ? 1 : 0);
  if (day < 1 || day > month_days) fail("bad day in timestamp", text);
  if (hour > 23 || minute > 59 || second > 59) fail("bad time of day in timestamp", text);
  std::int64_t fraction_ns = 0;
  if (t.size() > 19) {
    if (t[19] != '.' || t.size() == 20) fail("bad timestamp", text);
    const std::size_t fraction_digits = t.size() - 20;
    if (fraction_digits > 9) fail("more than 9 fractional digits in timestamp", text);
    fraction_ns = number(20, fraction_digits);
    for (std::size_t k = fraction_digits; k < 9; ++k) fraction_ns *= 10;
  }
  const std::int64_t seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  return seconds * 1'000'000'000 + fraction_ns;
}

}  // namespace cs
