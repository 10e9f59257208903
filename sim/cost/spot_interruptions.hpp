#pragma once
// Spot capacity taken back: each replica of a spot pool is reclaimed after an exponential
// time at the pool's interruption rate (per second of its life, from the instant it is
// provisioned), independently of the others (two replicas sharing one instance are, on a real
// cloud, reclaimed together; the rate per replica is right, the correlation is not modelled).
// A reclaimed replica drains: it takes no new requests, finishes the ones it holds (the
// provider's notice, 30 s to 2 min, is taken as long enough) and is released; the autoscaler
// replaces it. A model, not a listener: it drives the replicas. Draws come from the named
// stream `spot.<pool>`, so other models' numbers do not move.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/engine/signal.hpp"
#include "sim/serving/request_router.hpp"

namespace cs {

class SpotInterruptions {
 public:
  SpotInterruptions(Engine& engine, RequestRouter& router, double interruptions_per_s, const std::string& pool);
  SpotInterruptions(const SpotInterruptions&) = delete;
  SpotInterruptions& operator=(const SpotInterruptions&) = delete;

  // The replica about to join the router (its id is the router's next) was provisioned now.
  void replica_provisioned();
  std::uint64_t interruptions() const { return interruptions_; }
  Signal<std::uint32_t /*replica*/> on_interruption;

 private:
  Engine& engine_;
  RequestRouter& router_;
  double rate_;
  RandomStream& random_;
  std::uint64_t interruptions_ = 0;
};

}  // namespace cs
