#include "workloads/job_workload.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "workloads/csv_job_trace.hpp"

namespace cs {

VectorJobSource::VectorJobSource(std::vector<JobTraceRecord> jobs) : jobs_(std::move(jobs)) {
  const bool ordered =
      std::is_sorted(jobs_.begin(), jobs_.end(), [](const auto& a, const auto& b) { return a.creation < b.creation; });
  if (!ordered) throw std::invalid_argument("jobs must be listed in submit order");
}

std::optional<JobTraceRecord> VectorJobSource::next() {
  if (next_ >= jobs_.size()) return std::nullopt;
  return jobs_[next_++];
}

std::unique_ptr<JobSource> make_job_source(const JobWorkloadSpec& spec) {
  switch (spec.format) {
    case JobListFormat::kAlibabaPods:
      return std::make_unique<AlibabaPodTrace>(spec.trace.path, spec.trace.options);
    case JobListFormat::kCsv:
      return std::make_unique<CsvJobTrace>(spec.trace.path, spec.trace.options);
    case JobListFormat::kInline:
      return std::make_unique<VectorJobSource>(spec.inline_jobs);
  }
  throw std::logic_error("unknown job list format");
}

}  // namespace cs
