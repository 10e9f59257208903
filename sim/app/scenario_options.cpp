#include "sim/app/scenario_options.hpp"

namespace cs {

void add_scenario_options(po::options_description& options) {
  options.add_options()("help,h", "show this help")("scenario", po::value<std::string>(),
                                                    "scenario YAML file (positional)")(
      "seed", po::value<std::uint64_t>(), "random seed, replacing the scenario's `seed:`")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override a scenario value: --set simulation.horizon=\"30 min\" (repeatable; path uses . and [i])");
}

po::positional_options_description scenario_positional() {
  po::positional_options_description pos;
  pos.add("scenario", 1);
  return pos;
}

LoadOptions scenario_load_options(const po::variables_map& vm) {
  LoadOptions o;
  if (vm.count("set")) o.overrides = vm["set"].as<std::vector<std::string>>();
  if (vm.count("seed")) o.seed = vm["seed"].as<std::uint64_t>();
  return o;
}

}  // namespace cs
