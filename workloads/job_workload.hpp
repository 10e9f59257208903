#pragma once
// The jobs a cluster scenario replays, whatever their origin: the Alibaba pod list, a plain
// CSV (csv_job_trace.hpp) or a list written in the scenario. Each becomes a JobSource, read
// one job at a time.
#include <memory>
#include <vector>

#include "workloads/alibaba_pod_trace.hpp"
#include "workloads/job_trace_record.hpp"

namespace cs {

enum class JobListFormat { kAlibabaPods, kCsv, kInline };

struct JobWorkloadSpec {
  JobListFormat format = JobListFormat::kAlibabaPods;
  JobTraceSpec trace;                       // kAlibabaPods, kCsv: the file and how to read it
  std::vector<JobTraceRecord> inline_jobs;  // kInline, in submit order
  // Arrival-time compression (a scheduler load test): each job is submitted at its trace
  // submit time / time_scale; its run time is unchanged. 1: the trace's own clock.
  double time_scale = 1;
};

std::unique_ptr<JobSource> make_job_source(const JobWorkloadSpec& spec);

// Jobs already in memory (inline lists, tests). Throws std::invalid_argument when the
// submissions are not in order.
class VectorJobSource final : public JobSource {
 public:
  explicit VectorJobSource(std::vector<JobTraceRecord> jobs);
  std::optional<JobTraceRecord> next() override;

 private:
  std::vector<JobTraceRecord> jobs_;
  std::size_t next_ = 0;
};

}  // namespace cs
