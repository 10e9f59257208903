#include <catch2/catch.hpp>

#include <vector>

#include "sim/training/cluster_scheduler.hpp"
#include "sim/training/pod_trace_jobs.hpp"
#include "workloads/alibaba_pod_trace.hpp"

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

TEST_CASE("every pod of the Alibaba trace gets exactly one final record on 6,000 GPUs, under each policy") {
  const std::string path = std::string(CLUSTERSIM_TRACE_DIR) + "/alibaba_gpu_v2023_openb_pod_list_default.csv";
  for (auto policy :
       {SchedulingPolicy::kFifo, SchedulingPolicy::kEasyBackfill, SchedulingPolicy::kPriorityPreemptive}) {
    for (auto placement : {PlacementPolicy::kTopologyAware, PlacementPolicy::kRandom}) {
      CAPTURE(to_string(policy), to_string(placement));
      Engine engine(11);
      auto inventory = ClusterInventory::uniform(750, 8, 32);
      ClusterScheduler s(engine, inventory, {policy, placement}, nullptr);
      std::vector<int> finals;
      s.on_job_finished.connect([&](const ClusterJobRecord& r) {
        if (finals.size() < r.id) finals.resize(r.id, 0);
        ++finals[r.id - 1];
      });
      AlibabaPodTrace trace(path);
      PodTraceFeeder feeder(engine, s, trace);
      feeder.start();
      // Stop inside the trace (it spans 12.9 million s), so that some pods are still running
      // or waiting and must be reported by finish().
      engine.run_until(Time::s(12'000'000));
      s.finish();
      CHECK(feeder.submitted() == s.totals().submitted);
      CHECK(finals.size() == feeder.submitted());
      int not_once = 0;
      for (int n : finals) not_once += n == 1 ? 0 : 1;
      CHECK(not_once == 0);
      const auto t = s.totals();
      CHECK(t.submitted == t.finished + t.waiting + t.running + t.never_fits);
      CHECK(t.running > 0);
    }
  }
}
