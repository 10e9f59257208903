#include <catch2/catch.hpp>

#include <vector>

#include "sim/simulation/training_system.hpp"

using namespace cs;

TEST_CASE("every pod of the Alibaba trace gets exactly one final record on 6,000 GPUs, under each policy") {
  for (auto policy :
       {SchedulingPolicy::kFifo, SchedulingPolicy::kEasyBackfill, SchedulingPolicy::kPriorityPreemptive}) {
    for (auto placement : {PlacementPolicy::kTopologyAware, PlacementPolicy::kRandom}) {
      CAPTURE(to_string(policy), to_string(placement));
      TrainingClusterSpec spec;
      spec.nodes = 750;
      spec.gpus_per_node = 8;
      spec.nodes_per_leaf = 32;
      spec.scheduler = {policy, placement};
      JobWorkloadSpec trace;
      trace.format = JobListFormat::kAlibabaPods;
      trace.trace.path = std::string(CLUSTERSIM_TRACE_DIR) + "/alibaba_gpu_v2023_openb_pod_list_default.csv";
      spec.trace = trace;
      Engine engine(11);
      TrainingSystem system(engine, spec, nullptr);
      ClusterScheduler& s = system.scheduler();
      std::vector<int> finals;
      s.on_job_finished.connect([&](const ClusterJobRecord& r) {
        if (finals.size() < r.id) finals.resize(r.id, 0);
        ++finals[r.id - 1];
      });
      std::uint64_t submitted = 0;
      system.on_job_submitted.connect([&](std::uint64_t, const TrainingJobSpec*, double) { ++submitted; });
      // Stop inside the trace (it spans 12.9 million s), so that some pods are still running
      // or waiting and must be reported by finish().
      const Time horizon = Time::s(12'000'000);
      system.start(horizon);
      engine.run_until(horizon);
      system.finish();
      CHECK(submitted == system.accounting().totals().submitted);
      CHECK(finals.size() == submitted);
      int not_once = 0;
      for (int n : finals) not_once += n == 1 ? 0 : 1;
      CHECK(not_once == 0);
      const auto t = system.accounting().totals();
      CHECK(t.submitted == t.finished + t.waiting + t.running + t.never_fits);
      CHECK(t.running > 0);
    }
  }
}
