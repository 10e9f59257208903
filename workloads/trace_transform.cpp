#include "workloads/trace_transform.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace cs {

void TraceTransform::apply(InferenceRequest& r) const {
  if (time_scale != 1 && r.arrival > start)
    r.arrival = start + Time::ns(std::llround(static_cast<double>((r.arrival - start).count_ns()) * time_scale));
  if (max_tokens > 0) {
    r.input_tokens = std::min(r.input_tokens, max_tokens - 1);
    r.output_tokens = std::min(r.output_tokens, max_tokens - r.input_tokens);
  }
}

TransformedSource::TransformedSource(std::unique_ptr<RequestSource> inner, const TraceTransform& transform)
    : inner_(std::move(inner)), transform_(transform) {
  if (!(transform.time_scale > 0)) throw std::invalid_argument("the time scale must be positive");
  if (transform.max_tokens != 0 && transform.max_tokens < 2)
    throw std::invalid_argument("max_tokens must leave one prompt and one output token (at least 2)");
}

std::optional<InferenceRequest> TransformedSource::next() {
  std::optional<InferenceRequest> r = inner_->next();
  if (r) transform_.apply(*r);
  return r;
}

}  // namespace cs
