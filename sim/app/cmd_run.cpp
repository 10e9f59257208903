#include <cstdio>
#include <filesystem>
#include <iostream>

#include "sim/app/cli_support.hpp"
#include "sim/app/commands.hpp"
#include "sim/app/progress_line.hpp"
#include "sim/app/scenario_options.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/simulation/simulation.hpp"

namespace cs {

int cmd_run(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  add_scenario_options(opts);
  opts.add_options()("output,o", po::value<std::string>(), "HDF5 file to write (default: out/<scenario name>.h5)")(
      "quiet,q", "print nothing but errors");
  const auto vm = parse_command_line("run", args, opts, scenario_positional());
  if (vm.count("help")) {
    std::cout << help_text("clustersim run SCENARIO [-o OUT.h5] [--seed N] [--set path=value]... [--quiet]",
                           "Simulates the scenario up to its horizon and writes utilization, latency and cost\n"
                           "timelines, per-item tables and a summary to one HDF5 file. The file appears under\n"
                           "its name only when the run completed (it is written as OUT.h5.partial first).\n"
                           "Exit status: 0 done, 1 simulation error, 2 bad scenario or usage.",
                           opts,
                           "  clustersim run configs/scenarios/default.yaml\n"
                           "  clustersim run configs/scenarios/default.yaml -o out/x.h5 --seed 7 \\\n"
                           "      --set queueing.servers=64 --set simulation.horizon=\"4 h\"\n");
    return kExitOk;
  }
  if (!vm.count("scenario")) throw UsageError("missing the scenario file (see: clustersim run --help)");
  const std::filesystem::path file = vm["scenario"].as<std::string>();
  const Scenario scenario = load_scenario(file, scenario_load_options(vm));
  const bool quiet = vm.count("quiet") > 0;

  RunOptions run;
  run.output = vm.count("output") ? std::filesystem::path(vm["output"].as<std::string>())
                                  : std::filesystem::path("out") / (scenario.name + ".h5");
  run.command_line = "clustersim run";
  for (const auto& a : args) run.command_line += " " + a;
  ProgressLine progress(!quiet);
  run.progress = [&progress](const ProgressReport& r) { progress.update(r); };

  const RunResult result = run_scenario(scenario, run);
  for (const std::string& w : result.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  if (!quiet) {
    std::printf("%s: simulated %s in %.2f s wall (%llu events)\n", scenario.name.c_str(),
                format_duration(scenario.simulation.horizon).c_str(), result.wall_s,
                static_cast<unsigned long long>(result.events));
    for (const auto& [name, value] : result.summary) std::printf("  %-28s %s\n", name.c_str(), value.c_str());
    std::printf("wrote %s\n", run.output.string().c_str());
  }
  return kExitOk;
}

}  // namespace cs
