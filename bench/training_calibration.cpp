// Training benchmark: 30 simulated days of the GPT-3 175B calibration job (1,024 A100 80GB,
// configs/scenarios/gpt3_175b_calibration.yaml) with node failures at the Llama 3 rate
// (FailureSpec defaults: ~50,677 h MTBF per GPU, so about one failure every two days on 1,024
// GPUs), 4 h repairs, 2 spare nodes, checkpoints every 30 min (30 s writes, 10 min restarts),
// through the whole run pipeline (scenario, scheduler, iteration model, metrics, HDF5).
// Prints wall time, events, peak resident memory and the job's figures. Target: < 30 s.
// Then the same model as one job on 16,384 GPUs (2,048 DGX A100 nodes, TP8 PP8 DP256) and on
// 100,352 GPUs (12,544 nodes, TP8 PP8 DP1568) on an HDR fat-tree, one simulated hour each: the
// wall time is mostly the first training step (its DP reductions run as flows over the whole
// fabric, contention kept). Targets: 16k <= 5 s, 100k <= 60 s and <= 4 GiB peak RSS.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "sim/scenario/scenario_loader.hpp"
#include "sim/simulation/simulation.hpp"

namespace {

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

std::string summary_value(const cs::RunResult& r, const std::string& name) {
  for (const auto& [k, v] : r.summary)
    if (k == name) return v;
  return "?";
}

}  // namespace

void scale_run(const std::filesystem::path& scenario, int nodes, int dp) {
  namespace fs = std::filesystem;
  cs::LoadOptions load;
  load.overrides = {"simulation.horizon=1 h", "simulation.sample_interval=10 min",
                    "topology.nodes=" + std::to_string(nodes), "training[0].dp=" + std::to_string(dp),
                    "training[0].global_batch=" + std::to_string(8 * dp)};
  const auto t0 = std::chrono::steady_clock::now();
  const cs::Scenario s = cs::load_scenario(scenario, load);
  cs::RunOptions run;
  run.output = fs::temp_directory_path() / "bench_training_scale.h5";
  const cs::RunResult r = cs::run_scenario(s, run);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("gpt3-175b on %d GPUs (TP8 PP8 DP%d), 1 simulated hour: wall %.2f s  events %llu  peak RSS %.0f MiB  "
              "iteration %s s\n",
              nodes * 8, dp, wall, static_cast<unsigned long long>(r.events), peak_rss_mib(),
              summary_value(r, "training_iteration_s").c_str());
  std::error_code ignored;
  fs::remove(run.output, ignored);
}

int main() {
  namespace fs = std::filesystem;
  const fs::path scenario = fs::path(CLUSTERSIM_SOURCE_DIR) / "configs" / "scenarios" / "gpt3_175b_calibration.yaml";
  cs::LoadOptions load;
  load.overrides = {"simulation.horizon=30 days",
                    "simulation.sample_interval=10 min",
                    "cluster.failures={enabled: true, repair_time: 4 h, spare_nodes: 2}",
                    "cluster.checkpoint={interval: 30 min, write_time: 30 s, restart: 10 min}",
                    "topology.nodes=130"};
  const auto t0 = std::chrono::steady_clock::now();
  const cs::Scenario s = cs::load_scenario(scenario, load);
  cs::RunOptions run;
  run.output = fs::temp_directory_path() / "bench_training_calibration.h5";
  const cs::RunResult r = cs::run_scenario(s, run);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("gpt3-175b calibration job, 30 simulated days with failures: wall %.2f s  events %llu  peak RSS %.0f MiB\n",
              wall, static_cast<unsigned long long>(r.events), peak_rss_mib());
  for (const char* k : {"node_failures", "job_restarts", "cluster_goodput", "lost_gpu_hours", "training_iteration_s",
                        "training_tflops_per_gpu", "training_days_for_budget", "training_days_for_budget_at_goodput",
                        "training_iterations_done"})
    std::printf("  %-36s %s\n", k, summary_value(r, k).c_str());
  std::error_code ignored;
  fs::remove(run.output, ignored);
  scale_run(scenario, 2048, 256);
  scale_run(scenario, 12544, 1568);
  return 0;
}
