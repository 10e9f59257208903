// Replays the whole Alibaba GPU pod trace (v2023 openb default list: 8,152 pods over ~149
// days) on a 6,000-GPU cluster (750 nodes x 8 GPUs, 32 nodes per leaf) under each scheduling
// policy, and once more with Llama-3-rate failures; reports wall time, jobs, events and peak
// memory. Target: each run well under 30 s.
//
// In real time the trace offers ~14 GPUs of work on average (most pods are small, GPU-sharing
// ones), and even all its pods at once fit in 6,000 GPUs, so the cluster never queues; the
// second block therefore compresses arrival times 400x (jobs.time_scale: run times kept) onto 1,000 GPUs, which
// makes the queue, backfill, preemption and fragmentation do real work.
// Usage: bench_training_cluster [trace.csv]
#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>

#include "sim/simulation/training_system.hpp"

namespace {

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is KiB on Linux
}

void run(const std::string& path, cs::SchedulingPolicy policy, cs::PlacementPolicy placement, bool failures,
         std::int64_t compress, int nodes) {
  using namespace cs;
  const auto t0 = std::chrono::steady_clock::now();
  Engine engine(2023);
  TrainingClusterSpec spec;
  spec.nodes = nodes;
  spec.gpus_per_node = 8;
  spec.nodes_per_leaf = 32;
  spec.scheduler = {policy, placement};
  spec.failures_enabled = failures;  // Llama 3 per-GPU MTBF, 4 h repairs
  spec.failures.spare_nodes = 8;
  JobWorkloadSpec trace;
  trace.format = JobListFormat::kAlibabaPods;
  trace.trace.path = path;
  trace.time_scale = static_cast<double>(compress);
  spec.trace = trace;
  TrainingSystem system(engine, spec, nullptr);
  // The last pod arrives at 12.9 million s; the horizon leaves the longest ones time to end
  // (failures never stop, so a run with them needs one).
  if (failures) {
    system.start(Time::s(26'000'000));
    engine.run_until(Time::s(26'000'000));
  } else {
    system.start(Time::max());
    engine.run();
  }
  system.finish();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto t = system.accounting().totals();
  std::printf(
      "%5d GPUs x%-4lld %-20s %-15s %-8s wall %6.3f s  jobs %llu (finished %llu, waiting %llu, running %llu, never fit "
      "%llu)  "
      "events %llu  mean JCT %.0f s  mean queue %.0f s  GPU util %.4f  goodput %.4f  node failures %llu  "
      "peak RSS %.1f MiB\n",
      nodes * 8, static_cast<long long>(compress), std::string(to_string(policy)).c_str(),
      std::string(to_string(placement)).c_str(), failures ? "failures" : "-", wall,
      static_cast<unsigned long long>(t.submitted), static_cast<unsigned long long>(t.finished),
      static_cast<unsigned long long>(t.waiting), static_cast<unsigned long long>(t.running),
      static_cast<unsigned long long>(t.never_fits), static_cast<unsigned long long>(engine.events_processed()),
      t.mean_completion_s, t.mean_queue_s, t.gpu_utilization, t.goodput,
      static_cast<unsigned long long>(t.node_failures), peak_rss_mib());
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = std::string(CLUSTERSIM_TRACE_DIR) + "/alibaba_gpu_v2023_openb_pod_list_default.csv";
  if (argc > 1) path = argv[1];
  using cs::PlacementPolicy;
  using cs::SchedulingPolicy;
  for (auto [compress, nodes] : {std::pair<std::int64_t, int>{1, 750}, {400, 125}}) {
    for (auto policy :
         {SchedulingPolicy::kFifo, SchedulingPolicy::kEasyBackfill, SchedulingPolicy::kPriorityPreemptive})
      run(path, policy, PlacementPolicy::kTopologyAware, false, compress, nodes);
    run(path, SchedulingPolicy::kEasyBackfill, PlacementPolicy::kRandom, false, compress, nodes);
    run(path, SchedulingPolicy::kEasyBackfill, PlacementPolicy::kTopologyAware, true, compress, nodes);
  }
  return 0;
}
