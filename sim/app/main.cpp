// clustersim: a discrete-event simulator of AI GPU clusters. Dispatches to a subcommand and
// maps failures to exit codes: 2 for bad input or usage, 1 for errors while simulating.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "sim/app/cli_support.hpp"
#include "sim/app/commands.hpp"
#include "sim/scenario/config_error.hpp"
#include "sim/scenario/nearest_name.hpp"
#include "workloads/trace_error.hpp"

namespace {

void print_help() {
  std::printf(
      "clustersim %s: discrete-event simulation of AI GPU clusters for capacity planning\n\n"
      "Usage: clustersim COMMAND [options]     (clustersim COMMAND --help for each)\n\n"
      "Commands:\n",
      CLUSTERSIM_VERSION);
  for (const auto& c : cs::commands()) std::printf("  %-10s %s\n", c.name, c.summary);
  std::printf(
      "\nOptions:\n  -h, --help     show this help\n  --version      print the version\n\n"
      "Exit status: 0 success, 1 simulation error, 2 bad input or usage.\n"
      "Scenarios: configs/scenarios/*.yaml; keys and units are documented in docs/SCENARIOS.md.\n");
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> words(argv + 1, argv + argc);
  if (words.empty() || words[0] == "--help" || words[0] == "-h" || words[0] == "help") {
    print_help();
    return words.empty() ? cs::kExitBadInput : cs::kExitOk;
  }
  if (words[0] == "--version") {
    std::printf("clustersim %s\n", CLUSTERSIM_VERSION);
    return cs::kExitOk;
  }
  const cs::Command* command = nullptr;
  std::vector<std::string> names;
  for (const auto& c : cs::commands()) {
    names.emplace_back(c.name);
    if (words[0] == c.name) command = &c;
  }
  if (!command) {
    std::string hint = cs::nearest_name(words[0], names);
    std::fprintf(stderr, "clustersim: unknown command '%s'%s; commands: %s (see clustersim --help)\n", words[0].c_str(),
                 hint.empty() ? "" : (" (did you mean '" + hint + "'?)").c_str(), cs::join_names(names).c_str());
    return cs::kExitBadInput;
  }
  try {
    return command->run({words.begin() + 1, words.end()});
  } catch (const cs::UsageError& e) {
    std::fprintf(stderr, "clustersim %s: %s\n", command->name, e.what());
    return cs::kExitBadInput;
  } catch (const cs::ConfigError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return cs::kExitBadInput;
  } catch (const cs::TraceError& e) {  // a trace file that is missing or malformed is bad input too
    std::fprintf(stderr, "error: %s\n", e.what());
    return cs::kExitBadInput;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "simulation error: %s\n", e.what());
    return cs::kExitSimulationError;
  }
}
