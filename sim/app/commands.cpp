#include "sim/app/commands.hpp"

namespace cs {

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands = {
      {"run", "simulate a scenario and write its results to HDF5", cmd_run},
      {"validate", "load and check a scenario without simulating it", cmd_validate},
      {"estimate", "FLOPs, memory, latency, throughput and cost of a model on a GPU type", cmd_estimate},
      {"collective", "time a collective on a topology over a size sweep, like nccl-tests", cmd_collective},
      {"catalog", "list the GPUs and models by the names estimate and scenarios accept", cmd_catalog},
      {"sweep", "run a scenario over a grid of --set values and seeds, in parallel (MPI too)", cmd_sweep},
      {"plan", "the cheapest configurations that meet latency SLOs: prune, simulate, refine", cmd_plan},
  };
  return kCommands;
}

}  // namespace cs
