#include "sim/training/pod_trace_jobs.hpp"

#include <algorithm>

#include "sim/training/cluster_scheduler.hpp"

namespace cs {

ClusterJobSpec cluster_job_from_pod(const JobTraceRecord& pod, const PodReplayOptions& options) {
  ClusterJobSpec job;
  job.name = pod.name;
  job.submit = pod.creation;
  job.gpus = static_cast<int>(pod.num_gpu);
  job.gpu_milli = pod.num_gpu == 0 ? 1000 : static_cast<int>(pod.gpu_milli);
  job.single_node = true;
  job.gpu_type = pod.gpu_spec;
  if (options.best_effort_preemptible && pod.qos == "BE") {
    job.preemptible = true;
    job.priority = options.be_priority;
  }
  if (pod.deletion) {
    const Time from = pod.scheduled ? *pod.scheduled : pod.creation;
    // A zero-length pod still takes one nanosecond, so that it starts and ends in order.
    job.duration = *pod.deletion > from ? *pod.deletion - from : Time::ns(1);
  }
  return job;
}

}  // namespace cs
