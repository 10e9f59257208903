// A day of LLM serving at scale, end to end through `run_scenario` (request source, router,
// replicas priced by the transformer cost model, metrics, HDF5 output): bench/serving_day.yaml,
// the Azure conversation trace shaped to ~2 million requests over 24 simulated hours on 100
// Llama 2 70B TP4 replicas. Prints wall time, simulated requests per wall second, events per
// second and peak RSS. Target (issue 5): under 60 s and under 1 GiB.
// Usage: bench_serving [scenario.yaml] [--set path=value ...]
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/scenario/scenario_loader.hpp"
#include "sim/simulation/simulation.hpp"

namespace {

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is KiB on Linux
}

std::string summary_value(const cs::RunResult& r, const std::string& name) {
  for (const auto& [key, value] : r.summary)
    if (key == name) return value;
  return "?";
}

}  // namespace

int main(int argc, char** argv) try {
  std::filesystem::path file = std::filesystem::path(CLUSTERSIM_SOURCE_DIR) / "bench" / "serving_day.yaml";
  cs::LoadOptions load;
  load.overrides.push_back(std::string("workload.trace.path=") + CLUSTERSIM_TRACE_DIR +
                           "/AzureLLMInferenceTrace_conv.csv");
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--set") == 0 && i + 1 < argc)
      load.overrides.emplace_back(argv[++i]);
    else
      file = argv[i];
  }
  const cs::Scenario scenario = cs::load_scenario(file, load);
  cs::RunOptions options;
  options.output =
      std::filesystem::temp_directory_path() / ("clustersim_bench_serving_" + std::to_string(getpid()) + ".h5");
  options.command_line = "bench_serving";
  const cs::RunResult r = cs::run_scenario(scenario, options);
  std::filesystem::remove(options.output);

  const double requests = std::stod(summary_value(r, "requests_arrived"));
  std::printf("serving day (%s): %s requests arrived, %s completed, over %.0f s simulated on %d replicas of %d GPUs\n",
              file.filename().c_str(), summary_value(r, "requests_arrived").c_str(),
              summary_value(r, "requests_completed").c_str(), scenario.simulation.horizon.seconds(),
              scenario.serving_pools.at(0).initial_replicas, scenario.serving_pools.at(0).replica.gpus);
  std::printf("  ttft p50 %s s  p99 %s s  tpot p99 %s s  slo attainment %s  busy fraction %s  compute utilization %s\n",
              summary_value(r, "ttft_p50_s").c_str(), summary_value(r, "ttft_p99_s").c_str(),
              summary_value(r, "tpot_p99_s").c_str(), summary_value(r, "slo_attainment").c_str(),
              summary_value(r, "gpu_busy_fraction").c_str(), summary_value(r, "compute_utilization_mean").c_str());
  std::printf("wall %.2f s  %.0f simulated requests per wall second  %llu events  %.2f M events/s  peak RSS %.1f MiB\n",
              r.wall_s, requests / r.wall_s, static_cast<unsigned long long>(r.events),
              static_cast<double>(r.events) / r.wall_s / 1e6, peak_rss_mib());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_serving: %s\n", e.what());
  return 1;
}
