#pragma once
// A request trace replayed on another clock and under an engine's length limit, applied to
// each request as it streams by (nothing is read ahead):
//   * time_scale: the trace's clock stretched by this factor, as Vidur's trace
//     time_scale_factor (so a trace replayed on both gives the same arrivals): a request `d`
//     after the start arrives at start + d · time_scale; 1.5 plays it at 2/3 of its rate, 0.5
//     at twice its rate. (jobs.time_scale divides instead: it compresses job traces.)
//   * max_tokens: prompt + output clipped to at most max_tokens, as an engine caps a request
//     at its max_model_len (vLLM) or max_seq_len (TensorRT-LLM): the prompt keeps at most
//     max_tokens − 1 tokens and the output what is left, so at least one token is generated.
#include <cstdint>
#include <memory>

#include "workloads/request_source.hpp"

namespace cs {

struct TraceTransform {
  double time_scale = 1;       // > 0: the clock's stretch
  std::int64_t max_tokens = 0;  // 0: no clip; else at least 2
  Time start;                  // the trace's start in simulated time (its read offset)

  bool identity() const { return time_scale == 1 && max_tokens == 0; }
  void apply(InferenceRequest& r) const;
};

class TransformedSource final : public RequestSource {
 public:
  // Throws std::invalid_argument for a time scale that is not positive or a clip under 2.
  TransformedSource(std::unique_ptr<RequestSource> inner, const TraceTransform& transform);
  std::optional<InferenceRequest> next() override;
  std::uint64_t skipped_rows() const override { return inner_->skipped_rows(); }
  std::string first_skipped_reason() const override { return inner_->first_skipped_reason(); }

 private:
  std::unique_ptr<RequestSource> inner_;
  TraceTransform transform_;
};

}  // namespace cs
