#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "sim/app/cli_support.hpp"
#include "sim/app/commands.hpp"
#include "sim/app/scenario_options.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/simulation/simulation.hpp"

namespace cs {

int cmd_validate(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  add_scenario_options(opts);
  opts.add_options()("print", "print the scenario as resolved (after extends, !include and --set)")(
      "build", "also build the models (place replicas on the topology, size the cluster) without running them");
  const auto vm = parse_command_line("validate", args, opts, scenario_positional());
  if (vm.count("help")) {
    std::cout << help_text("clustersim validate SCENARIO [--set path=value]... [--print] [--build]",
                           "Loads and checks a scenario (syntax, keys, units, ranges; that its trace and job files\n"
                           "exist and their header and first row parse) without simulating. --build also builds\n"
                           "the models, as `run` does before its first event.\n"
                           "Exit status: 0 valid, 2 invalid (the message names file:line:column and the key).",
                           opts, "  clustersim validate configs/scenarios/default.yaml\n");
    return kExitOk;
  }
  if (!vm.count("scenario")) throw UsageError("missing the scenario file (see: clustersim validate --help)");
  const Scenario s = load_scenario(vm["scenario"].as<std::string>(), scenario_load_options(vm));
  for (const std::string& w : s.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  // The models open their tables as they are built, in a scratch file never committed.
  if (vm.count("build"))
    build_scenario(s, std::filesystem::temp_directory_path() /
                          ("clustersim-build-" + std::to_string(::getpid()) + ".h5"));
  if (vm.count("print"))
    std::cout << s.resolved_yaml;
  else {
    std::printf("%s: valid (horizon %s, seed %llu)\n", s.name.c_str(),
                s.simulation.until_drained
                    ? ("drain, capped at " + format_duration(s.simulation.horizon)).c_str()
                    : format_duration(s.simulation.horizon).c_str(),
                static_cast<unsigned long long>(s.seed));
    // What each replica's KV cache holds once weights and the largest iteration are in memory.
    for (const ServingPoolSpec* p : s.all_serving_pools()) {
      const std::int64_t blocks = kv_cache_blocks(p->replica);
      std::printf("  pool %s: %s, %lld KV blocks of %lld tokens per replica (%.1f GiB, %lld tokens)\n",
                  p->router.name.c_str(), std::string(scheduler_mode_name(p->replica.scheduler)).c_str(),
                  static_cast<long long>(blocks), static_cast<long long>(p->replica.kv_block_tokens),
                  p->replica.kv_cache_bytes / (1ull << 30), static_cast<long long>(blocks * p->replica.kv_block_tokens));
    }
  }
  return kExitOk;
}

}  // namespace cs
