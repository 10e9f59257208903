#include "sim/engine/time.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace cs {

namespace {
constexpr double kMaxSeconds = 9.2e9;  // just inside int64 nanoseconds

void check_range(double seconds) {
  if (!std::isfinite(seconds) || std::fabs(seconds) > kMaxSeconds)
    throw std::range_error("duration of " + std::to_string(seconds) +
                           " s is outside the simulator's clock range (±292 years)");
}
}  // namespace

Time Time::from_seconds_ceil(double seconds) {
  check_range(seconds);
  const double ns = std::ceil(seconds * 1e9);
  if (seconds > 0 && ns < 1) return Time(1);
  return Time(static_cast<std::int64_t>(ns));
}

Time Time::from_seconds_round(double seconds) {
  check_range(seconds);
  return Time(static_cast<std::int64_t>(std::llround(seconds * 1e9)));
}

std::string format_duration(Time t) {
  const bool negative = t.count_ns() < 0;
  double s = std::fabs(t.seconds());
  char buf[64];
  if (s < 1e-3)
    std::snprintf(buf, sizeof buf, "%.3f us", s * 1e6);
  else if (s < 1)
    std::snprintf(buf, sizeof buf, "%.3f ms", s * 1e3);
  else if (s < 60)
    std::snprintf(buf, sizeof buf, "%.3f s", s);
  else {
    const auto whole = static_cast<long long>(s);
    const long long d = whole / 86400, h = (whole % 86400) / 3600, m = (whole % 3600) / 60;
    const double sec = s - static_cast<double>(d * 86400 + h * 3600 + m * 60);
    if (d > 0)
      std::snprintf(buf, sizeof buf, "%lldd %02lldh %02lldm %04.1fs", d, h, m, sec);
    else if (h > 0)
      std::snprintf(buf, sizeof buf, "%lldh %02lldm %04.1fs", h, m, sec);
    else
      std::snprintf(buf, sizeof buf, "%lldm %04.1fs", m, sec);
  }
  std::string out = negative ? "-" : "";
  out.append(buf);
  return out;
}

}  // namespace cs
