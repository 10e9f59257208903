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

#include "workloads/line_job_source.hpp"

namespace cs {

class CsvJobTrace final : public LineJobSource {
 public:
  CsvJobTrace(std::string path, JobTraceOptions options = {});

 private:
  JobTraceRecord parse_row(std::string_view line) override;

  int submit_ = -1, gpus_ = -1, duration_ = -1, name_ = -1, qos_ = -1;
  std::uint64_t row_ = 0;
};

}  // namespace cs
