#pragma once
// Simulated time: a signed 64-bit count of nanoseconds (a week is 6.048e14 ns, the range is
// ±292 years). One type serves for instants and durations, as in ns-3's Time; integer ticks
// mean no epsilon comparisons anywhere in the simulator.
#include <compare>
#include <cstdint>
#include <limits>
#include <string>

namespace cs {

class Time {
  static constexpr std::int64_t kMaxNs = std::numeric_limits<std::int64_t>::max();
  static constexpr std::int64_t kMinNs = std::numeric_limits<std::int64_t>::min();

 public:
  constexpr Time() = default;
  static constexpr Time ns(std::int64_t v) { return Time(v); }
  // Unit constructors saturate like operator* (Time::s(1e10) is past the ±292-year range):
  // a too-long duration read as whole units clamps to "never" instead of wrapping negative.
  static constexpr Time us(std::int64_t v) { return ns(v) * 1'000; }
  static constexpr Time ms(std::int64_t v) { return ns(v) * 1'000'000; }
  static constexpr Time s(std::int64_t v) { return ns(v) * 1'000'000'000; }
  static constexpr Time max() { return Time(kMaxNs); }
  static constexpr Time min() { return Time(kMinNs); }

  // A duration computed from a rate (bytes / bandwidth, FLOPs / peak) rounds up to whole
  // nanoseconds, and anything positive takes at least 1 ns, so no work ever takes zero time.
  static Time from_seconds_ceil(double seconds);
  // Nearest nanosecond, for instants read from traces and configuration.
  static Time from_seconds_round(double seconds);

  constexpr std::int64_t count_ns() const { return ns_; }
  // Division, not multiplication by 1e-9: whole seconds come out exact (10 s is 10.0).
  constexpr double seconds() const { return static_cast<double>(ns_) / 1e9; }

  constexpr auto operator<=>(const Time&) const = default;
  // Arithmetic saturates at the ends of the range instead of wrapping (signed overflow is
  // undefined): "never" (Time::max()) plus any delay stays "never", and an instant past the
  // range (now + a century-long job) clamps to it rather than turning into the distant past.
  constexpr Time operator+(Time o) const { return Time(saturating_add(ns_, o.ns_)); }
  constexpr Time operator-(Time o) const { return Time(saturating_sub(ns_, o.ns_)); }
  constexpr Time& operator+=(Time o) { return *this = *this + o; }
  constexpr Time& operator-=(Time o) { return *this = *this - o; }
  constexpr Time operator*(std::int64_t k) const {
    std::int64_t r = 0;
    if (__builtin_mul_overflow(ns_, k, &r)) return (ns_ < 0) == (k < 0) ? max() : min();
    return Time(r);
  }
  constexpr std::int64_t operator/(Time o) const { return ns_ / o.ns_; }

 private:
  constexpr explicit Time(std::int64_t v) : ns_(v) {}
  static constexpr std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    if (__builtin_add_overflow(a, b, &r)) return b > 0 ? kMaxNs : kMinNs;
    return r;
  }
  static constexpr std::int64_t saturating_sub(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    if (__builtin_sub_overflow(a, b, &r)) return b < 0 ? kMaxNs : kMinNs;
    return r;
  }
  std::int64_t ns_ = 0;
};

// "1h 02m 03.5s"-style text for logs and the progress line.
std::string format_duration(Time t);

namespace time_literals {
constexpr Time operator""_ns(unsigned long long v) {
  return Time::ns(static_cast<std::int64_t>(v));
}
constexpr Time operator""_us(unsigned long long v) {
  return Time::us(static_cast<std::int64_t>(v));
}
constexpr Time operator""_ms(unsigned long long v) {
  return Time::ms(static_cast<std::int64_t>(v));
}
constexpr Time operator""_s(unsigned long long v) {
  return Time::s(static_cast<std::int64_t>(v));
}
constexpr Time operator""_min(unsigned long long v) {
  return Time::s(static_cast<std::int64_t>(v)) * 60;
}
constexpr Time operator""_h(unsigned long long v) {
  return Time::s(static_cast<std::int64_t>(v)) * 3600;
}
}  // namespace time_literals

}  // namespace cs
