#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "../scenario/scenario_test_files.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/simulation/training_system.hpp"

using namespace cs;

namespace {

// 8 nodes of 8 GPUs, each running one 8-GPU pod that outlives the run, checkpointing every
// hour of work (writes and restarts free, so lost work is all there is).
TrainingClusterSpec spot_cluster(double reclaims_per_node_h, Time replacement) {
  TrainingClusterSpec spec;
  spec.nodes = 8;
  spec.gpus_per_node = 8;
  spec.spot_reclaims_per_node_s = reclaims_per_node_h / 3600;
  spec.spot_replacement = replacement;
  spec.checkpoint.interval = Time::s(3600);
  JobWorkloadSpec jobs;
  jobs.format = JobListFormat::kInline;
  for (int i = 0; i < 8; ++i) {
    JobTraceRecord pod;
    pod.name = "train-" + std::to_string(i);
    pod.num_gpu = 8;
    pod.gpu_milli = 1000;
    pod.qos = "Guaranteed";
    jobs.inline_jobs.push_back(pod);
  }
  spec.trace = jobs;
  return spec;
}

struct SpotRun {
  std::uint64_t reclaims = 0;
  ClusterTotals totals;
};

SpotRun run_spot(std::uint64_t seed, const TrainingClusterSpec& spec, Time horizon) {
  Engine engine(seed);
  TrainingSystem system(engine, spec, nullptr);
  system.start(horizon);
  engine.run_until(horizon);
  system.finish();
  return {system.spot_reclaims(), system.accounting().totals()};
}

}  // namespace

TEST_CASE("spot nodes are reclaimed at the catalog rate, each replaced after the replacement time") {
  // Per node, reclaims form a renewal process of cycles (Exp(1/10 h) held + 1 h replacing):
  // mean m = 11 h, variance s2 = 100 h^2. Over T = 100 h its expected count is
  // T/m + (s2 - m^2)/(2 m^2) = 9.0909 - 0.0868 = 9.004 (Cox 1962, Renewal Theory, 4.5), so
  // 72.03 for 8 nodes. Count variance ~ 8 s2 T/m^3 = 60 per run: the mean of 100 seeds is
  // within 0.8 (1 sd) of that.
  const TrainingClusterSpec spec = spot_cluster(0.1, Time::s(3600));
  double sum = 0;
  constexpr int kSeeds = 100;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    const SpotRun r = run_spot(static_cast<std::uint64_t>(seed), spec, Time::s(100 * 3600));
    CHECK(r.totals.node_failures == r.reclaims);  // a reclaim takes its node down as a failure does
    sum += static_cast<double>(r.reclaims);
  }
  CHECK(sum / kSeeds == Approx(72.03).margin(2.5));
  // Without spot nothing is reclaimed.
  CHECK(run_spot(1, spot_cluster(0, Time{}), Time::s(100 * 3600)).reclaims == 0);
}

TEST_CASE("a reclaimed job loses the work since its last checkpoint, half an interval on average") {
  // Reclaims every 10 h per node are far apart against the 1 h checkpoint interval, so a
  // reclaim falls uniformly within an interval: each costs 8 GPUs x 0.5 h of lost work on
  // average, at most 8 GPUs x 1 h.
  const TrainingClusterSpec spec = spot_cluster(0.1, Time::s(600));
  double lost_gpu_s = 0, interruptions = 0;
  for (int seed = 1; seed <= 20; ++seed) {
    const SpotRun r = run_spot(static_cast<std::uint64_t>(seed), spec, Time::s(100 * 3600));
    CHECK(r.totals.failures <= r.reclaims);  // a reclaim of a node between jobs interrupts none
    CHECK(r.totals.lost_gpu_s <= static_cast<double>(r.totals.failures) * 8 * 3600);
    lost_gpu_s += r.totals.lost_gpu_s;
    interruptions += static_cast<double>(r.totals.failures);
  }
  REQUIRE(interruptions > 1000);
  CHECK(lost_gpu_s / (interruptions * 8 * 3600) == Approx(0.5).margin(0.04));
}

TEST_CASE("a spot training cluster takes the catalog's spot price and reclaim rate per node") {
  // AWS p5.48xlarge (8 H100s an instance) in configs/prices/clouds.yaml: $3.687 per GPU-hour
  // spot, 0.00027 reclaims per instance-hour; a 16-GPU node spans two instances.
  const std::string base =
      "name: s\n"
      "simulation: {horizon: 1 h}\n"
      "cluster:\n"
      "  nodes: 4\n"
      "  gpus_per_node: 16\n"
      "  gpu: h100-sxm\n"
      "  provider: aws\n"
      "  option: spot\n"
      "jobs:\n"
      "  - {name: a, gpus: 16, duration: 30 min}\n";
  cs::test::TempDir dir;
  const Scenario s = load_scenario(dir.write("a.yaml", base));
  REQUIRE(s.training);
  CHECK(s.training->usd_per_gpu_hour == Approx(3.687));
  CHECK(s.training->spot_reclaims_per_node_s * 3600 == Approx(2 * 0.00027));
  CHECK(s.training->spot_replacement == Time::s(600));
  std::string later_yaml = base;
  later_yaml.replace(later_yaml.find("spot\n"), 5, "spot\n  spot_replacement: 30 min\n");
  const Scenario later = load_scenario(dir.write("b.yaml", later_yaml));
  CHECK(later.training->spot_replacement == Time::s(1800));
  std::string on_demand = base;
  on_demand.replace(on_demand.find("spot\n"), 5, "on_demand\n  spot_replacement: 30 min\n");
  CHECK_THROWS_WITH(load_scenario(dir.write("c.yaml", on_demand)),
                    Catch::Contains("cluster.spot_replacement") && Catch::Contains("goes with option: spot"));
}
