#pragma once
// Spot capacity taken back: each unit (a serving replica) is reclaimed after an exponential
// time at the interruption rate (per second of its life, from the instant it is provisioned),
// independently of the others (two replicas sharing one instance are, on a real cloud,
// reclaimed together; the rate per replica is right, the correlation is not modelled). What a
// reclaim does is the caller's: a serving replica drains (it takes no new requests and
// finishes the ones it holds: the provider's notice, 30 s to 2 min, is taken as long enough)
// and the autoscaler replaces it. A model, not a listener: it drives what it reclaims. Draws
// come from the named stream `spot.<name>`, so other models' numbers do not move.
#include <cstdint>
#include <functional>
#include <string>

#include "sim/engine/engine.hpp"
#include "sim/engine/signal.hpp"

namespace cs {

class SpotInterruptions {
 public:
  // `reclaim(id)`: take unit `id` back now; false if it was already gone (stopping or stopped).
  SpotInterruptions(Engine& engine, double interruptions_per_s, const std::string& name,
                    std::function<bool(std::uint32_t)> reclaim);
  SpotInterruptions(const SpotInterruptions&) = delete;
  SpotInterruptions& operator=(const SpotInterruptions&) = delete;

  // Unit `id` was provisioned now.
  void provisioned(std::uint32_t id);
  std::uint64_t interruptions() const { return interruptions_; }
  Signal<std::uint32_t /*id*/> on_interruption;

 private:
  Engine& engine_;
  double rate_;
  RandomStream& random_;
  std::function<bool(std::uint32_t)> reclaim_;
  std::uint64_t interruptions_ = 0;
};

}  // namespace cs
