// Replays the whole Alibaba GPU pod trace (v2023 openb default list: 8,152 pods over ~149
// days) on a 6,000-GPU cluster (750 nodes x 8 GPUs, 32 nodes per leaf) under each scheduling
// policy, and once more with Llama-3-rate failures; reports wall time, jobs, events and peak
// memory. Target: each run well under 30 s.
//
// In real time the trace offers ~14 GPUs of work on average (most pods are small, GPU-sharing
// ones), and even all its pods at once fit in 6,000 GPUs, so the cluster never queues; the
// second block therefore compresses arrival times 400x (run times kept) onto 1,000 GPUs, which
// makes the queue, backfill, preemption and fragmentation do real work.
// Usage: bench_training_cluster [trace.csv]
#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>

#include "sim/training/cluster_scheduler.hpp"
#include "sim/training/pod_trace_jobs.hpp"
#include "workloads/alibaba_pod_trace.hpp"

namespace {

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is KiB on Linux
}

// Arrival times divided by `factor`; scheduled/deletion shifted along, so run times are kept.
class CompressedArrivals final : public cs::JobSource {
 public:
  CompressedArrivals(cs::JobSource& inner, std::int64_t factor) : inner_(inner), factor_(factor) {}
  std::optional<cs::JobTraceRecord> next() override {
    auto r = inner_.next();
    if (!r) return r;
    const cs::Time created = cs::Time::ns(r->creation.count_ns() / factor_);
    const cs::Time shift = r->creation - created;
    r->creation = created;
    if (r->scheduled) *r->scheduled -= shift;
    if (r->deletion) *r->deletion -= shift;
    return r;
  }

 private:
  cs::JobSource& inner_;
  std::int64_t factor_;
};

void run(const std::string& path, cs::SchedulingPolicy policy, cs::PlacementPolicy placement, bool failures,
         std::int64_t compress, int nodes) {
  using namespace cs;
  const auto t0 = std::chrono::steady_clock::now();
  Engine engine(2023);
  auto inventory = ClusterInventory::uniform(nodes, 8, 32);
  if (failures) inventory.reserve_spares(8);
  ClusterScheduler scheduler(engine, inventory, {policy, placement}, nullptr);
  FailureSpec failure_spec;  // Llama 3 per-GPU MTBF, 4 h repairs
  failure_spec.spare_nodes = 8;
  FailureInjector injector(engine, failure_spec, inventory.node_count(), 8);
  if (failures) {
    scheduler.attach(injector);
    injector.start();
  }
  AlibabaPodTrace trace(path);
  CompressedArrivals arrivals(trace, compress);
  PodTraceFeeder feeder(engine, scheduler, arrivals);
  feeder.start();
  // The last pod arrives at 12.9 million s; the horizon leaves the longest ones time to end
  // (failures never stop, so a run with them needs one).
  if (failures)
    engine.run_until(Time::s(26'000'000));
  else
    engine.run();
  scheduler.finish();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto t = scheduler.totals();
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
