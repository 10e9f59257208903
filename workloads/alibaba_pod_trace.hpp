#pragma once
// The Alibaba GPU cluster trace v2023 pod list (Weng et al., "Beware of Fragmentation", ATC
// 2023): name, cpu_milli, memory_mib, num_gpu, gpu_milli, gpu_spec, qos, pod_phase,
// creation_time, deletion_time, scheduled_time; times in whole seconds from trace start.
//
// Empty fields: gpu_spec empty is "no GPU model constraint" (kept as ""); scheduled_time
// empty is "never scheduled" and deletion_time empty "not deleted within the trace" (both
// std::nullopt). Any other empty field is a malformed row. Times are kept as in the file
// (not rebased), plus `offset`; rows must come in creation order.
#include <string>
#include <vector>

#include "workloads/csv_line_split.hpp"
#include "workloads/job_trace_record.hpp"
#include "workloads/trace_line_reader.hpp"

namespace cs {

struct JobTraceOptions {
  bool skip_bad_rows = false;  // as TraceReadOptions::skip_bad_rows
  Time offset;
};

class AlibabaPodTrace final : public JobSource {
 public:
  AlibabaPodTrace(std::string path, JobTraceOptions options = {});
  std::optional<JobTraceRecord> next() override;
  std::uint64_t skipped_rows() const override { return skipped_; }
  std::string first_skipped_reason() const override { return first_skipped_; }

 private:
  JobTraceRecord parse_row(std::string_view line);

  TraceLineReader lines_;
  JobTraceOptions options_;
  CsvLineSplitter splitter_;
  std::vector<std::string> header_;
  std::size_t column_[11] = {};
  Time last_creation_;
  std::uint64_t skipped_ = 0;
  std::string first_skipped_;
};

}  // namespace cs

namespace cs {

// A job trace as a scenario names it.
struct JobTraceSpec {
  std::string path;
  JobTraceOptions options;
};

}  // namespace cs
