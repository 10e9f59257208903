#pragma once
// A trace played back to back: pass k is the trace shifted by k periods, so an hour-long
// trace can cover a simulated day (then shaped by a demand profile). Each pass reopens the
// source, so memory stays constant. The default period is the first pass's span plus its
// mean gap, so the seam between passes looks like any other gap.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "workloads/request_source.hpp"

namespace cs {

class LoopedSource final : public RequestSource {
 public:
  using Opener = std::function<std::unique_ptr<RequestSource>()>;
  // `passes` 0: for ever. `period` zero: derived from the first pass as above. Throws
  // std::invalid_argument for a negative period; TraceError (naming `name`, the trace file)
  // from next() when the first pass spans no time and no period is given, or when the given
  // period is shorter than the first pass's span.
  LoopedSource(Opener open, std::uint64_t passes, Time period = Time(), std::string name = "looped trace");
  std::optional<InferenceRequest> next() override;
  // Skips summed over every pass so far (a bad row is counted once per pass it is read in).
  std::uint64_t skipped_rows() const override;
  std::string first_skipped_reason() const override { return first_skipped_; }
  std::uint64_t pass() const { return pass_; }
  // Known once the first pass is over (or given).
  Time period() const { return period_; }

 private:
  Opener open_;
  std::uint64_t passes_;
  std::unique_ptr<RequestSource> current_;
  std::uint64_t pass_ = 0;
  Time period_;
  Time first_, last_;
  std::uint64_t first_pass_rows_ = 0;
  std::uint64_t skipped_before_ = 0;  // by finished passes
  std::string first_skipped_;
  std::string name_;
};

}  // namespace cs
