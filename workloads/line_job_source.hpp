#pragma once
// The part the CSV job trace readers share, as LineTraceSource is for request traces: a header
// line of column names, streaming rows, skipping blank ones, the submit-order check, and the
// stop-or-skip policy for malformed rows. A format only maps its columns and says how one row
// becomes a JobTraceRecord.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/engine/time.hpp"
#include "workloads/csv_line_split.hpp"
#include "workloads/job_trace_record.hpp"
#include "workloads/trace_line_reader.hpp"

namespace cs {

struct JobTraceOptions {
  bool skip_bad_rows = false;  // as TraceReadOptions::skip_bad_rows
  Time offset;
};

// A job trace as a scenario names it.
struct JobTraceSpec {
  std::string path;
  JobTraceOptions options;
};

class LineJobSource : public JobSource {
 public:
  std::optional<JobTraceRecord> next() final;
  std::uint64_t skipped_rows() const final { return skipped_; }
  std::string first_skipped_reason() const final { return first_skipped_; }

 protected:
  // Reads the header line. `submit_column` names the column whose time must not decrease from
  // one row to the next (it appears in the error when it does).
  LineJobSource(std::string path, JobTraceOptions options, std::string submit_column);
  // One non-blank data line as a record; throws std::invalid_argument with the reason when
  // malformed. The submit-order check is done by next().
  virtual JobTraceRecord parse_row(std::string_view line) = 0;
  // The line's fields; throws std::invalid_argument unless there is one per header column.
  const std::vector<std::string_view>& split_row(std::string_view line);
  const std::vector<std::string>& header() const { return header_; }
  const JobTraceOptions& options() const { return options_; }
  [[noreturn]] void fail_header(const std::string& reason) const;

 private:
  TraceLineReader lines_;
  JobTraceOptions options_;
  std::string submit_column_;
  CsvLineSplitter splitter_;
  std::vector<std::string> header_;
  Time last_submit_;
  std::uint64_t skipped_ = 0;
  std::string first_skipped_;
};

}  // namespace cs
