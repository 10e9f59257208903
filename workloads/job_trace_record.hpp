#pragma once
// One job (pod) as a cluster trace records it: what it asked for and what happened to it in
// the traced cluster. The cluster scheduler replays the requests; the recorded outcome
// (phase, scheduled/deletion times) is kept for comparison, not obeyed.
#include <cstdint>
#include <optional>
#include <string>

#include "sim/engine/time.hpp"

namespace cs {

enum class PodPhase { kPending, kRunning, kSucceeded, kFailed };

struct JobTraceRecord {
  std::string name;
  std::int64_t cpu_milli = 0;   // CPU request in thousandths of a core
  std::int64_t memory_mib = 0;  // memory request in MiB
  std::int64_t num_gpu = 0;     // 0: a CPU-only pod
  // Share of each GPU in thousandths: 1000 is a whole GPU, less is a GPU-sharing pod (only
  // with num_gpu == 1 in the Alibaba trace); 0 with num_gpu == 0.
  std::int64_t gpu_milli = 0;
  // Required GPU model; empty means any model will do (every row of the openb default list).
  std::string gpu_spec;
  std::string qos;  // LS, BE, Burstable, Guaranteed as in the trace
  PodPhase phase = PodPhase::kPending;
  Time creation;                 // submitted (from trace start)
  std::optional<Time> deletion;  // none: the pod outlived the trace
  std::optional<Time> scheduled;  // none: never scheduled (every Pending pod in the trace)
};

// A pull-style stream of jobs in creation order, as RequestSource is for requests.
class JobSource {
 public:
  virtual ~JobSource() = default;
  virtual std::optional<JobTraceRecord> next() = 0;
  virtual std::uint64_t skipped_rows() const { return 0; }
  virtual std::string first_skipped_reason() const { return {}; }
};

}  // namespace cs
