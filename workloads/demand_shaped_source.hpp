#pragma once
// A demand profile applied to a recorded trace without touching its time scale: at a
// request's arrival t with multiplier m(t), the request is kept with probability min(1, m)
// and, when m > 1, m − 1 extra copies are added on average (⌊m − 1⌋ always, one more with
// probability frac(m − 1)), each at t plus a fresh uniform jitter in [−jitter/2, jitter/2]
// (reflected at the first arrival, so no copy precedes the trace). Expected requests in a
// window are thereby Σ m(tᵢ) over the original arrivals tᵢ in it, and every emitted request
// carries an original's lengths: a 10x trace has exactly the original's length distribution.
// Compressing time instead would change the inter-arrival structure and the span.
//
// Streaming: copies land at most jitter/2 before a later original, so requests are held
// until no later one can precede them: memory is the requests within jitter/2 of the front.
#include <cstdint>
#include <memory>
#include <optional>
#include <queue>
#include <vector>

#include "sim/engine/random.hpp"
#include "workloads/demand_profile.hpp"
#include "workloads/request_source.hpp"

namespace cs {

// What the copies' prefix_hash_ids are: the original's (each copy re-sends the same prompt,
// so a prefix cache sees repeats), or moved to an id space per copy index (copies behave as
// other users, sharing prefixes among themselves as the originals do).
enum class CopyPrefixIds { kKeep, kPerCopySpace };

struct DemandShapingSpec {
  DemandProfile demand;
  Time jitter = Time::s(10);
  CopyPrefixIds copy_prefix_ids = CopyPrefixIds::kKeep;
};

class DemandShapedSource final : public RequestSource {
 public:
  // Throws std::invalid_argument for a negative jitter.
  DemandShapedSource(std::unique_ptr<RequestSource> inner, DemandShapingSpec spec, std::uint64_t seed);
  std::optional<InferenceRequest> next() override;
  std::uint64_t skipped_rows() const override { return inner_->skipped_rows(); }
  std::string first_skipped_reason() const override { return inner_->first_skipped_reason(); }
  // Original requests read, and requests emitted so far.
  std::uint64_t originals_read() const { return originals_; }
  std::uint64_t emitted() const { return emitted_; }

 private:
  struct Pending {
    InferenceRequest request;
    std::uint64_t sequence;  // ties in time leave in the order they were made
  };
  struct Later {
    bool operator()(const Pending& a, const Pending& b) const {
      return a.request.arrival != b.request.arrival ? a.request.arrival > b.request.arrival : a.sequence > b.sequence;
    }
  };
  void push(InferenceRequest r);
  void take(InferenceRequest original);

  std::unique_ptr<RequestSource> inner_;
  DemandShapingSpec spec_;
  RandomStream rng_;
  std::priority_queue<Pending, std::vector<Pending>, Later> pending_;
  std::optional<Time> first_arrival_;
  Time front_;  // arrival of the latest original read
  bool inner_done_ = false;
  std::uint64_t sequence_ = 0;
  std::uint64_t originals_ = 0;
  std::uint64_t emitted_ = 0;
};

}  // namespace cs
