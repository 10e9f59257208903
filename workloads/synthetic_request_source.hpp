#pragma once
// Requests made up from distributions: renewal arrivals (Poisson, Gamma, deterministic) whose
// rate follows a demand profile and a diurnal cycle (through RateMultiplier's time change),
// and token lengths drawn from distributions or resampled from a trace's pairs.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "sim/engine/random.hpp"
#include "workloads/arrival_process.hpp"
#include "workloads/distribution.hpp"
#include "workloads/empirical_lengths.hpp"
#include "workloads/rate_multiplier.hpp"
#include "workloads/request_source.hpp"

namespace cs {

struct TokenLengthSpec {
  // Draws are rounded to the nearest token, at least 1, at most the cap (0: no cap).
  DistributionSpec input{DistributionKind::kFixed, 512};
  DistributionSpec output{DistributionKind::kFixed, 128};
  std::int64_t max_input_tokens = 0;
  std::int64_t max_output_tokens = 0;
  // When set, pairs are resampled from it instead (the caps still apply).
  std::shared_ptr<const EmpiricalLengths> resample;
};

struct SyntheticWorkloadSpec {
  ArrivalSpec arrivals;  // the base rate: the mean when the demand is 1x
  DiurnalSpec diurnal;
  DemandProfile demand;
  TokenLengthSpec lengths;
  Time start;                   // the process starts here; the first arrival is one gap later
  std::optional<Time> end;      // no arrival at or after this; empty: the stream never ends
  std::uint64_t max_requests = 0;  // 0: no limit
  std::string model;
};

class SyntheticRequestSource final : public RequestSource {
 public:
  // Arrivals and lengths use separate streams derived from `seed`, so changing the length
  // model never moves an arrival. Throws std::invalid_argument for an impossible spec.
  SyntheticRequestSource(SyntheticWorkloadSpec spec, std::uint64_t seed);
  // The arrival process points at this object's stream: neither copied nor moved.
  SyntheticRequestSource(const SyntheticRequestSource&) = delete;
  SyntheticRequestSource& operator=(const SyntheticRequestSource&) = delete;
  std::optional<InferenceRequest> next() override;

 private:
  std::int64_t to_tokens(double draw, std::int64_t cap) const;

  SyntheticWorkloadSpec spec_;
  RandomStream arrival_rng_;
  RandomStream length_rng_;
  ArrivalProcess arrivals_;
  RateMultiplier multiplier_;
  double now_s_;
  std::uint64_t made_ = 0;
  bool done_ = false;
};

}  // namespace cs
