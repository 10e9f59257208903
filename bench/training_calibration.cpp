// Training benchmark: 30 simulated days of the GPT-3 175B calibration job (1,024 A100 80GB,
// configs/scenarios/gpt3_175b_calibration.yaml) with node failures at the Llama 3 rate
// (FailureSpec defaults: ~50,677 h MTBF per GPU, so about one failure every two days on 1,024
// GPUs), 4 h repairs, 2 spare nodes, checkpoints every 30 min (30 s writes, 10 min restarts),
// through the whole run pipeline (scenario, scheduler, iteration model, metrics, HDF5).
// Prints wall time, events, peak resident memory and the job's figures. Target: < 30 s.
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
  return 0;
}
