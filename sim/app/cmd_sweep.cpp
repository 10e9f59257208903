// `clustersim sweep`: one scenario over a grid of --set values and seeds, points in parallel
// (child processes here, or MPI ranks under mpirun/srun), resumable, with an index of every
// point's settings and summary.
#include <cstdio>
#include <iostream>

#include "sim/app/cli_support.hpp"
#include "sim/app/commands.hpp"
#include "sim/planning/point_cluster.hpp"
#include "sim/planning/sweep_index.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace cs {

int cmd_sweep(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  opts.add_options()("help,h", "show this help")("sweep", po::value<std::string>(), "sweep YAML file (positional)")(
      "jobs,j", po::value<int>()->default_value(default_jobs()), "points run at once on this machine (processes)")(
      "output,o", po::value<std::string>(), "folder for the points and the index (default: the file's `output:`)")(
      "quiet,q", "print nothing but errors");
  po::positional_options_description pos;
  pos.add("sweep", 1);
  const auto vm = parse_command_line("sweep", args, opts, pos);
  if (vm.count("help")) {
    std::cout << help_text(
        "clustersim sweep SWEEP.yaml [-j N] [-o DIR] [--quiet]\n"
        "       mpirun -n N clustersim sweep SWEEP.yaml      (srun -n N ... on Slurm)",
        "Runs a base scenario at every point of a grid of --set values (and a list of variants),\n"
        "once per seed, and writes DIR/points/<hash>.h5 per point plus DIR/index.csv and\n"
        "DIR/index.h5: one row per point with its settings, seed, status, error and every\n"
        "/summary value. Points run in parallel child processes (-j, default: the cores); a point\n"
        "that fails or crashes is recorded with its error and the others carry on. Run again, it\n"
        "reuses every finished point whose settings are unchanged (resume after a kill).\n"
        "Under mpirun/srun, rank 0 hands points to the other ranks as they free up and writes the\n"
        "index; DIR must be on a file system every rank sees. Keys: docs/PLANNING.md.\n"
        "Exit status: 0 every point ran, 1 some point failed, 2 bad sweep file or usage.",
        opts,
        "  clustersim sweep configs/sweeps/headroom_vs_fixed.yaml -j 2\n"
        "  mpirun -n 4 clustersim sweep configs/sweeps/headroom_vs_fixed.yaml\n");
    return kExitOk;
  }
  if (!vm.count("sweep")) throw UsageError("missing the sweep file (see: clustersim sweep --help)");
  const int jobs = vm["jobs"].as<int>();
  if (jobs < 1) throw UsageError("--jobs must be at least 1");
  SweepSpec spec = read_sweep_spec(vm["sweep"].as<std::string>());
  if (vm.count("output")) spec.output = vm["output"].as<std::string>();
  const bool quiet = vm.count("quiet") > 0;

  return run_with_point_launcher(jobs, [&](PointLauncher& launcher) {
    // The base scenario with the shared settings must load: a typo there fails every point.
    LoadOptions base;
    for (const auto& [path, value] : spec.fixed) base.overrides.push_back(path + "=" + value);
    load_scenario(spec.scenario, base);
    const auto points = expand_sweep(spec);
    const auto results = run_points(points, spec.output, launcher, {!quiet, "sweep"});
    write_sweep_index(spec.output, sweep_index_table(points, results));
    std::size_t failed = 0;
    for (const auto& r : results) failed += r.ok ? 0 : 1;
    if (!quiet) {
      std::printf("%zu points: %zu ok, %zu failed\n", points.size(), points.size() - failed, failed);
      for (std::size_t i = 0; i < results.size(); ++i)
        if (!results[i].ok) std::printf("  point %zu failed: %s\n", i, results[i].error.c_str());
      std::printf("wrote %s and %s\n", (spec.output / "index.csv").string().c_str(),
                  (spec.output / "index.h5").string().c_str());
    }
    return failed ? kExitSimulationError : kExitOk;
  });
}

}  // namespace cs
