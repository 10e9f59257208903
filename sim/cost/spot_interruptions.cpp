#include "sim/cost/spot_interruptions.hpp"

namespace cs {

namespace {
// Past any horizon a run covers (~31 years), and far inside the int64 ns range.
constexpr double kNeverWithinS = 1e9;
}  // namespace

SpotInterruptions::SpotInterruptions(Engine& engine, RequestRouter& router, double interruptions_per_s,
                                     const std::string& pool)
    : engine_(engine), router_(router), rate_(interruptions_per_s), random_(engine.random("spot." + pool)) {}

void SpotInterruptions::replica_provisioned() {
  if (rate_ <= 0) return;
  const std::uint32_t id = router_.next_replica_id();
  const double life_s = random_.exponential(rate_);
  if (life_s > kNeverWithinS) return;
  engine_.schedule_in(Time::from_seconds_ceil(life_s), [this, id] {
    Replica& r = *router_.replicas().at(id);
    if (r.state() == ReplicaState::kStopped || r.state() == ReplicaState::kDraining) return;
    ++interruptions_;
    r.drain();
    on_interruption.emit(id);
  });
}

}  // namespace cs
