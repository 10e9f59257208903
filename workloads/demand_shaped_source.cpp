#include "workloads/demand_shaped_source.hpp"

#include <cmath>
#include <stdexcept>
#include <utility>

#include "workloads/workload_spec_checks.hpp"

namespace cs {

namespace {
// Copy k's prefix ids move to their own space: far above the ids real traces use (Mooncake's
// block ids are below 2^32), with room for 2^23 copy indices before wrapping.
constexpr std::int64_t kCopyIdSpace = std::int64_t{1} << 40;
}  // namespace

DemandShapedSource::DemandShapedSource(std::unique_ptr<RequestSource> inner, DemandShapingSpec spec, std::uint64_t seed)
    : inner_(std::move(inner)), spec_(std::move(spec)), rng_(stream_seed(seed, "demand shaping")) {
  if (!inner_) throw std::invalid_argument("demand shaping needs a source");
  require_valid(validate(spec_), "demand");
}

void DemandShapedSource::push(InferenceRequest r) { pending_.push({std::move(r), sequence_++}); }

void DemandShapedSource::take(InferenceRequest original) {
  ++originals_;
  const Time t = original.arrival;
  if (!first_arrival_) first_arrival_ = t;
  front_ = t;
  const double m = spec_.demand.at(t);
  if (m < 1) {
    if (rng_.uniform01() < m) push(std::move(original));
    return;
  }
  const double extra = m - 1;
  auto copies = static_cast<std::int64_t>(std::floor(extra));
  if (rng_.uniform01() < extra - static_cast<double>(copies)) ++copies;
  const std::int64_t jitter_ns = spec_.jitter.count_ns();
  for (std::int64_t k = 1; k <= copies; ++k) {
    InferenceRequest copy = original;
    // Uniform on [−jitter/2, jitter/2] in whole nanoseconds.
    const std::int64_t offset =
        jitter_ns == 0 ? 0 : static_cast<std::int64_t>(rng_.below(static_cast<std::uint64_t>(jitter_ns) + 1)) - jitter_ns / 2;
    Time at = t + Time::ns(offset);
    if (at < *first_arrival_) at = *first_arrival_ + (*first_arrival_ - at);
    copy.arrival = at;
    if (spec_.copy_prefix_ids == CopyPrefixIds::kPerCopySpace) {
      for (auto& id : copy.prefix_hash_ids) id += k * kCopyIdSpace;
    }
    push(std::move(copy));
  }
  push(std::move(original));
}

std::optional<InferenceRequest> DemandShapedSource::next() {
  const Time reach = Time::ns(spec_.jitter.count_ns() / 2);  // the most a copy can precede its original
  for (;;) {
    // A later original is >= front_, its copies >= front_ − reach: anything up to that may go.
    if (!pending_.empty() && (inner_done_ || pending_.top().request.arrival + reach <= front_)) {
      InferenceRequest r = std::move(const_cast<Pending&>(pending_.top()).request);
      pending_.pop();
      ++emitted_;
      return r;
    }
    if (inner_done_) return std::nullopt;
    auto original = inner_->next();
    if (!original) {
      inner_done_ = true;
      continue;
    }
    take(std::move(*original));
  }
}

}  // namespace cs
