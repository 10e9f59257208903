// `clustersim plan`: the cheapest configurations that meet latency SLOs through a workload,
// found by analytical pruning, simulation of the survivors and refinement around the answer.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "sim/app/cli_support.hpp"
#include "sim/app/commands.hpp"
#include "sim/planning/capacity_plan_report.hpp"
#include "sim/planning/point_cluster.hpp"

namespace cs {

int cmd_plan(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("help,h", "show this help")("plan", po::value<std::string>(), "plan YAML file (positional)")(
      "jobs,j", po::value<int>()->default_value(default_jobs()), "points run at once on this machine (processes)")(
      "output,o", po::value<std::string>(), "folder for the simulated points (default: the file's `output:`)")(
      "json", "print the outcome as one JSON object instead of the tables")("quiet,q", "no progress lines");
  po::positional_options_description pos;
  pos.add("plan", 1);
  const auto vm = parse_command_line("plan", args, opts, pos);
  if (vm.count("help")) {
    std::cout << help_text(
        "clustersim plan PLAN.yaml [-j N] [-o DIR] [--json]\n"
        "       mpirun -n N clustersim plan PLAN.yaml      (srun -n N ... on Slurm)",
        "For every candidate configuration of the plan (GPU type, TP/PP, engine, provider and\n"
        "price, ... as --set values), finds the least capacity (e.g. replicas) that meets every\n"
        "SLO (p99 TTFT, p99 TPOT, attainment, p99 TTFT of the worst window) on every seed:\n"
        "candidates that do not fit in memory or whose throughput bound exceeds the range are\n"
        "pruned without simulation; the rest are simulated a few values per round, in parallel\n"
        "(-j processes, or MPI ranks), narrowing to the answer. Prints the cheapest configurations\n"
        "that meet the SLOs, the cost/SLO Pareto frontier, the best rejected configurations with\n"
        "what they missed, and the pruned candidates. Points are kept in DIR/points, so a plan run\n"
        "again (or with another SLO) reuses every simulation it already did. Keys: docs/PLANNING.md.\n"
        "Exit status: 0 done, 1 an error while simulating, 2 bad plan file or usage.",
        opts,
        "  clustersim plan configs/plans/chat_launch.yaml\n"
        "  mpirun -n 4 clustersim plan configs/plans/chat_launch.yaml --json\n");
    return kExitOk;
  }
  if (!vm.count("plan")) throw UsageError("missing the plan file (see: clustersim plan --help)");
  const int jobs = vm["jobs"].as<int>();
  if (jobs < 1) throw UsageError("--jobs must be at least 1");
  CapacityPlanSpec spec = read_capacity_plan_spec(vm["plan"].as<std::string>());
  if (vm.count("output")) spec.output = vm["output"].as<std::string>();
  const bool json = vm.count("json") > 0;

  return run_with_point_launcher(jobs, [&](PointLauncher& launcher) {
    const CapacityPlanResult result = run_capacity_plan(spec, launcher, !vm.count("quiet"));
    const std::string json_text = capacity_plan_json(spec, result);
    std::filesystem::create_directories(spec.output);
    std::ofstream(spec.output / "plan.json") << json_text << "\n";
    if (json) std::cout << json_text << "\n";
    else std::cout << capacity_plan_text(spec, result) << "(" << (spec.output / "plan.json").string() << ")\n";
    return kExitOk;
  });
}

}  // namespace cs
