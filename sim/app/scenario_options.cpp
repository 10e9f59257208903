#include "sim/app/scenario_options.hpp"

#include <cerrno>
#include <cstdlib>
#include <limits>
#include <string>

namespace cs {

void add_scenario_options(po::options_description& options) {
  options.add_options()("help,h", "show this help")("scenario", po::value<std::string>(),
                                                    "scenario YAML file (positional)")(
      "seed", po::value<std::string>(), "random seed 0 .. 2^63-1, replacing the scenario's `seed:`")(
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
  if (vm.count("seed")) {
    // Digits only: a negative number would wrap around to 2^64 - n in an unsigned parse.
    const std::string text = vm["seed"].as<std::string>();
    errno = 0;
    char* end = nullptr;
    const unsigned long long seed = std::strtoull(text.c_str(), &end, 10);
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || errno == ERANGE ||
        seed > static_cast<unsigned long long>(std::numeric_limits<std::int64_t>::max()))
      throw UsageError("--seed: expected a whole number from 0 to 2^63-1, got '" + text + "'");
    o.seed = seed;
  }
  return o;
}

}  // namespace cs
