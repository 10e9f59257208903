#include "sim/app/commands.hpp"

namespace cs {

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands = {
      {"run", "simulate a scenario and write its results to HDF5", cmd_run},
      {"validate", "load and check a scenario without simulating it", cmd_validate},
  };
  return kCommands;
}

}  // namespace cs
