#pragma once
// The part every line-per-request trace reader shares: streaming lines, skipping blank ones,
// turning a row's raw time into a simulated arrival (origin, offset, order check), and the
// stop-or-skip policy for malformed rows. A format only says how one line becomes a request.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "workloads/request_source.hpp"
#include "workloads/trace_line_reader.hpp"
#include "workloads/trace_read_options.hpp"

namespace cs {

class LineTraceSource : public RequestSource {
 public:
  std::optional<InferenceRequest> next() final;
  std::uint64_t skipped_rows() const final { return skipped_; }
  std::string first_skipped_reason() const final { return first_skipped_; }
  // Rows turned into requests so far.
  std::uint64_t rows_read() const { return rows_; }

 protected:
  LineTraceSource(std::string path, TraceReadOptions options);
  // Fills `out` (all but `arrival`) and `raw_time_ns` (the row's time in the file, ns) from
  // one non-blank data line. Throws std::invalid_argument with the reason when malformed.
  virtual void parse_row(std::string_view line, InferenceRequest& out, std::int64_t& raw_time_ns) = 0;
  TraceLineReader& lines() { return lines_; }
  std::int64_t line_number() const { return lines_.line_number(); }
  [[noreturn]] void fail_file(std::int64_t line, const std::string& reason) const;

 private:
  TraceLineReader lines_;
  TraceReadOptions options_;
  std::optional<std::int64_t> origin_ns_;
  std::int64_t last_raw_ns_ = 0;
  std::uint64_t rows_ = 0;
  std::uint64_t skipped_ = 0;
  std::string first_skipped_;
};

}  // namespace cs
