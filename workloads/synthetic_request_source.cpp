#include "workloads/synthetic_request_source.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "workloads/workload_spec_checks.hpp"

namespace cs {

SyntheticRequestSource::SyntheticRequestSource(SyntheticWorkloadSpec spec, std::uint64_t seed)
    : spec_(std::move(spec)),
      arrival_rng_(stream_seed(seed, "arrivals")),
      length_rng_(stream_seed(seed, "lengths")),
      arrivals_(spec_.arrivals, arrival_rng_),
      multiplier_(spec_.demand, spec_.diurnal),
      now_s_(spec_.start.seconds()) {
  require_valid(validate(spec_), "synthetic");
}

std::int64_t SyntheticRequestSource::to_tokens(double draw, std::int64_t cap) const {
  auto n = std::max<std::int64_t>(1, std::llround(draw));
  return cap > 0 ? std::min(n, cap) : n;
}

std::optional<InferenceRequest> SyntheticRequestSource::next() {
  if (done_) return std::nullopt;
  if (spec_.max_requests > 0 && made_ >= spec_.max_requests) {
    done_ = true;
    return std::nullopt;
  }
  // The gap at the base rate is operational time; the multiplier maps it to real time.
  now_s_ = multiplier_.advance(now_s_, arrivals_.next_gap_seconds());
  // Past ~292 years Time overflows; treat it as "no more arrivals".
  if (!(now_s_ < 9.2e9) || (spec_.end && Time::from_seconds_round(now_s_) >= *spec_.end)) {
    done_ = true;
    return std::nullopt;
  }
  InferenceRequest r;
  r.arrival = Time::from_seconds_round(now_s_);
  const auto& l = spec_.lengths;
  if (l.resample) {
    const TokenLengths pair = l.resample->sample(length_rng_);
    r.input_tokens = to_tokens(static_cast<double>(pair.input), l.max_input_tokens);
    r.output_tokens = to_tokens(static_cast<double>(pair.output), l.max_output_tokens);
  } else {
    r.input_tokens = to_tokens(draw(l.input, length_rng_), l.max_input_tokens);
    r.output_tokens = to_tokens(draw(l.output, length_rng_), l.max_output_tokens);
  }
  r.model = spec_.model;
  ++made_;
  return r;
}

}  // namespace cs
