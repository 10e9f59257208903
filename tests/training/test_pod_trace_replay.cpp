#include <catch2/catch.hpp>

#include "sim/training/pod_trace_jobs.hpp"

using namespace cs;
using namespace cs::time_literals;

namespace {

JobTraceRecord sample_pod(const std::string& qos) {
  JobTraceRecord pod;
  pod.name = "p";
  pod.qos = qos;
  return pod;
}

}  // namespace

TEST_CASE("a pod's run time is deletion minus scheduled, or minus creation when never scheduled") {
  JobTraceRecord pod = sample_pod("LS");
  pod.num_gpu = 1;
  pod.gpu_milli = 460;
  pod.creation = 100_s;
  pod.scheduled = 130_s;
  pod.deletion = 1130_s;
  auto job = cluster_job_from_pod(pod);
  CHECK(job.duration == 1000_s);
  CHECK(job.gpus == 1);
  CHECK(job.gpu_milli == 460);
  CHECK(job.single_node);
  CHECK_FALSE(job.preemptible);
  pod.scheduled.reset();  // pending for its whole life
  CHECK(cluster_job_from_pod(pod).duration == 1030_s);
  pod.deletion.reset();  // outlived the trace: runs to the horizon
  CHECK_FALSE(cluster_job_from_pod(pod).duration);
  JobTraceRecord best_effort = sample_pod("BE");
  CHECK(cluster_job_from_pod(best_effort).preemptible);
  CHECK(cluster_job_from_pod(best_effort).priority == -1);
  pod.num_gpu = 0;  // CPU-only
  pod.gpu_milli = 0;
  CHECK(cluster_job_from_pod(pod).gpus == 0);
  CHECK(cluster_job_from_pod(pod).gpu_milli == 1000);
}
