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

#include "workloads/line_job_source.hpp"

namespace cs {

class AlibabaPodTrace final : public LineJobSource {
 public:
  AlibabaPodTrace(std::string path, JobTraceOptions options = {});

 private:
  JobTraceRecord parse_row(std::string_view line) override;

  std::size_t column_[11] = {};
};

}  // namespace cs
