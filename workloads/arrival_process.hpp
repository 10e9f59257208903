#pragma once
// Synthetic arrivals as a renewal process: the gaps between arrivals are independent draws
// with mean 1/rate. Poisson is the memoryless case (cv = 1); Gamma gaps with cv > 1 give the
// bursty traffic that production LLM traces show, cv < 1 smoother-than-Poisson traffic.
#include "sim/engine/random.hpp"
#include "sim/engine/time.hpp"

namespace cs {

enum class ArrivalKind { kPoisson, kGamma, kDeterministic };

struct ArrivalSpec {
  ArrivalKind kind = ArrivalKind::kPoisson;
  double rate_per_s = 0;
  double cv = 1;  // of the inter-arrival gap; kGamma only
};

class ArrivalProcess {
 public:
  // Throws std::invalid_argument for a non-positive rate or cv.
  ArrivalProcess(const ArrivalSpec& spec, RandomStream& rng);
  // The gap to the next arrival. `rate_multiplier` scales the rate (a demand profile's value
  // at the current time): the gap shrinks by that factor, the shape is kept.
  Time next_gap(double rate_multiplier = 1.0);
  // The same draw in unrounded seconds, for callers that map gaps through a time change
  // (non-homogeneous arrivals) and round only the final instant.
  double next_gap_seconds(double rate_multiplier = 1.0);

 private:
  ArrivalSpec spec_;
  RandomStream* rng_;
  double gamma_shape_ = 1;
};

}  // namespace cs
