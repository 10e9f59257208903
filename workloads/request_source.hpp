#pragma once
// A pull-style stream of requests: the simulator asks for the next one when it has scheduled
// the previous arrival, so a source holds O(1) requests (or a bounded window) no matter how
// long the trace or how many requests a generator makes.
#include <cstdint>
#include <optional>
#include <string>

#include "workloads/inference_request.hpp"

namespace cs {

class RequestSource {
 public:
  virtual ~RequestSource() = default;
  // The next request; arrivals never decrease from one call to the next. std::nullopt once
  // the source is exhausted (and on every later call).
  virtual std::optional<InferenceRequest> next() = 0;
  // Malformed rows a trace reader skipped so far (only with skip_bad_rows set), and the
  // "file:line: reason" of the first one, so a run can report what it dropped.
  virtual std::uint64_t skipped_rows() const { return 0; }
  virtual std::string first_skipped_reason() const { return {}; }
};

}  // namespace cs
