#pragma once
// Named demand shapes for the questions users ask first ("10x on launch day", "+50% a week").
// Each is a DemandProfile built from a small shape struct whose defaults are the preset; the
// numbers are assumptions to vary, not measurements.
#include <string>
#include <string_view>
#include <vector>

#include "workloads/demand_profile.hpp"

namespace cs {

// 1x until `start`; linear ramp to `peak` over `ramp`; `peak` for `hold`; linear decay to
// `settle` over `decay`; `settle` after. Defaults: 1x to 1 h, 10x at 4 h, held to 10 h,
// down to 2x at 22 h (a launch keeps some of its new users), all inside the first day.
struct LaunchDayShape {
  Time start = Time::s(3600);
  Time ramp = Time::s(3 * 3600);
  double peak = 10;
  Time hold = Time::s(6 * 3600);
  Time decay = Time::s(12 * 3600);
  double settle = 2;
};
DemandProfile launch_day_profile(const LaunchDayShape& shape = {});

// Compound growth: multiplier (1 + growth_per_week)^(t / week) from t = 0, sampled every
// `step` up to `horizon` and linear in between (with 1 h steps and +50%/week the chord is at
// most (k·step)²/8 ≈ 7e-7 relative above the curve, k = ln 1.5 / week), flat after `horizon`.
struct WeeklyGrowthShape {
  double growth_per_week = 0.5;
  Time horizon = Time::s(4 * 7 * 86400);
  Time step = Time::s(3600);
};
DemandProfile weekly_growth_profile(const WeeklyGrowthShape& shape = {});

// A short burst on a steady base (a link shared on social media): 1x until `at`, linear rise
// to `peak` over `rise`, `peak` for `hold`, linear fall to 1x over `fall`. Defaults: 5x,
// starting at 30 min, 30 s rise, 5 min hold, 2 min fall.
struct FlashBurstShape {
  Time at = Time::s(1800);
  Time rise = Time::s(30);
  double peak = 5;
  Time hold = Time::s(300);
  Time fall = Time::s(120);
};
DemandProfile flash_burst_profile(const FlashBurstShape& shape = {});

// The preset of that name with its default shape; std::invalid_argument listing the known
// names otherwise.
DemandProfile demand_preset(std::string_view name);
std::vector<std::string> demand_preset_names();

}  // namespace cs
