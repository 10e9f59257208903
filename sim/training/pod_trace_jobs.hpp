#pragma once
// Cluster trace pods (Alibaba GPU pod list, JobTraceRecord) as cluster jobs to replay
// (TrainingSystem submits them, one arrival event at a time).
//
// Run time: deletion − scheduled when both are known: the time the pod actually ran. A pod
// never scheduled in the trace (Pending) but deleted: deletion − creation, the time its owner
// kept asking for it, as the work it would have done had it been placed (an upper bound; the
// alternative, dropping it, would hide exactly the demand that fragmentation turned away). A
// pod never deleted within the trace: no duration, it runs until the horizon (long-running
// services). CPU-only pods (num_gpu == 0) are replayed with 0 GPUs so they still get a row.
// Every pod is a Kubernetes pod: all its GPUs on one node. Not preemptible, priority 0, unless
// the options say otherwise.
#include <cstdint>

#include "sim/training/cluster_job.hpp"
#include "workloads/job_trace_record.hpp"

namespace cs {

struct PodReplayOptions {
  // Best-effort pods (qos "BE") may be preempted and get priority be_priority; others get
  // priority 0.
  bool best_effort_preemptible = true;
  int be_priority = -1;
};

ClusterJobSpec cluster_job_from_pod(const JobTraceRecord& pod, const PodReplayOptions& options = {});

}  // namespace cs
