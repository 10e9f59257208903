#include "sim/app/scenario_options.hpp"

namespace cs {

LoadOptions scenario_load_options(const po::variables_map& vm) {
  LoadOptions o;
  if (vm.count("set")) o.overrides = vm["set"].as<std::vector<std::string>>();
  if (vm.count("seed")) o.seed = vm["seed"].as<std::uint64_t>();
  return o;
}

}  // namespace cs
