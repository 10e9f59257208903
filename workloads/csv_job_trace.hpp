#pragma once
// A job list in plain CSV, for clusters whose logs are not the Alibaba format: a header line
// naming the columns, then one job per row in submit order.
//
//   submit_s,gpus,duration_s[,name][,qos]
//   0,8,3600,pretrain-a,LS
//   12.5,1,600,,BE
//
// submit_s and duration_s are seconds (decimals allowed, exact to 1 ns); gpus is a whole
// number. A row becomes a JobTraceRecord that was scheduled when submitted and deleted after
// its duration, so the same adapter turns both formats into cluster jobs (the duration is
// deletion - scheduled).
#include <string>
#include <vector>

#include "workloads/alibaba_pod_trace.hpp"
#include "workloads/csv_line_split.hpp"
#include "workloads/job_trace_record.hpp"
#include "workloads/trace_line_reader.hpp"

namespace cs {

class CsvJobTrace final : public JobSource {
 public:
  CsvJobTrace(std::string path, JobTraceOptions options = {});
  std::optional<JobTraceRecord> next() override;
  std::uint64_t skipped_rows() const override { return skipped_; }
  std::string first_skipped_reason() const override { return first_skipped_; }

 private:
  JobTraceRecord parse_row(std::string_view line);

  TraceLineReader lines_;
  JobTraceOptions options_;
  CsvLineSplitter splitter_;
  std::size_t fields_ = 0;
  int submit_ = -1, gpus_ = -1, duration_ = -1, name_ = -1, qos_ = -1;
  Time last_submit_;
  std::uint64_t row_ = 0;
  std::uint64_t skipped_ = 0;
  std::string first_skipped_;
};

}  // namespace cs
