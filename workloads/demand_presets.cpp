#include "workloads/demand_presets.hpp"

#include <cmath>
#include <stdexcept>

namespace cs {

namespace {
void require_positive(Time t, const char* what) {
  if (t <= Time()) throw std::invalid_argument(std::string(what) + " must be > 0");
}
}  // namespace

DemandProfile launch_day_profile(const LaunchDayShape& s) {
  require_positive(s.ramp, "launch_day ramp");
  require_positive(s.decay, "launch_day decay");
  const Time peak_at = s.start + s.ramp;
  const Time decay_at = peak_at + s.hold;
  return DemandProfile({{s.start, 1.0}, {peak_at, s.peak}, {decay_at, s.peak}, {decay_at + s.decay, s.settle}});
}

DemandProfile weekly_growth_profile(const WeeklyGrowthShape& s) {
  require_positive(s.step, "weekly_growth step");
  require_positive(s.horizon, "weekly_growth horizon");
  if (!(s.growth_per_week > -1)) throw std::invalid_argument("weekly_growth growth must be > -100%");
  const double week_s = 7 * 86400.0;
  std::vector<DemandPoint> points;
  for (Time t;; t += s.step) {
    if (t > s.horizon) t = s.horizon;
    points.push_back({t, std::pow(1 + s.growth_per_week, t.seconds() / week_s)});
    if (t == s.horizon) break;
  }
  return DemandProfile(std::move(points));
}

DemandProfile flash_burst_profile(const FlashBurstShape& s) {
  require_positive(s.rise, "flash_burst rise");
  require_positive(s.fall, "flash_burst fall");
  const Time top = s.at + s.rise;
  const Time fall_at = top + s.hold;
  return DemandProfile({{s.at, 1.0}, {top, s.peak}, {fall_at, s.peak}, {fall_at + s.fall, 1.0}});
}

std::vector<std::string> demand_preset_names() { return {"launch_day", "weekly_growth", "flash_burst"}; }

DemandProfile demand_preset(std::string_view name) {
  if (name == "launch_day") return launch_day_profile();
  if (name == "weekly_growth") return weekly_growth_profile();
  if (name == "flash_burst") return flash_burst_profile();
  std::string known;
  for (const auto& n : demand_preset_names()) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown demand preset '" + std::string(name) + "' (known: " + known + ")");
}

}  // namespace cs
