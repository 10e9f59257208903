#include "sim/cost/spot_interruptions.hpp"

#include <utility>

namespace cs {

namespace {
// Past any horizon a run covers (~31 years), and far inside the int64 ns range.
constexpr double kNeverWithinS = 1e9;
}  // namespace

SpotInterruptions::SpotInterruptions(Engine& engine, double interruptions_per_s, const std::string& name,
                                     std::function<bool(std::uint32_t)> reclaim)
    : engine_(engine), rate_(interruptions_per_s), random_(engine.random("spot." + name)), reclaim_(std::move(reclaim)) {}

void SpotInterruptions::provisioned(std::uint32_t id) {
  if (rate_ <= 0) return;
  const double life_s = random_.exponential(rate_);
  if (life_s > kNeverWithinS) return;
  engine_.schedule_in(Time::from_seconds_ceil(life_s), [this, id] {
    if (!reclaim_(id)) return;
    ++interruptions_;
    on_interruption.emit(id);
  });
}

}  // namespace cs
