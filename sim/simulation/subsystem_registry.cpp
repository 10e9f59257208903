#include "sim/simulation/subsystem.hpp"

namespace cs {

// Each subsystem's factory, defined in its own file (<name>_subsystem.cpp).
std::unique_ptr<Subsystem> build_queueing_subsystem(SubsystemContext& ctx);
std::unique_ptr<Subsystem> build_serving_subsystem(SubsystemContext& ctx);
std::unique_ptr<Subsystem> build_network_subsystem(SubsystemContext& ctx);
std::unique_ptr<Subsystem> build_training_subsystem(SubsystemContext& ctx);

const std::vector<SubsystemEntry>& subsystem_registry() {
  // The order they are built, started and summarised in: training after serving (it lends the
  // pools its GPUs) and after the network (it draws the links only where no collective job does).
  static const std::vector<SubsystemEntry> registry = {
      {"queueing", &build_queueing_subsystem},
      {"serving", &build_serving_subsystem},
      {"network", &build_network_subsystem},
      {"training", &build_training_subsystem},
  };
  return registry;
}

std::vector<std::unique_ptr<Subsystem>> build_subsystems(SubsystemContext& ctx) {
  std::vector<std::unique_ptr<Subsystem>> built;
  for (const SubsystemEntry& entry : subsystem_registry())
    if (auto s = entry.build(ctx)) built.push_back(std::move(s));
  return built;
}

}  // namespace cs
