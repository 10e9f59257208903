#include "sim/scenario/subsystem_list.hpp"
#include "sim/simulation/subsystem.hpp"

namespace cs {

// Each subsystem's factory, defined in its own file (<name>_subsystem.cpp).
#define CLUSTERSIM_DECLARE_FACTORY(name) std::unique_ptr<Subsystem> build_##name##_subsystem(SubsystemContext& ctx);
CLUSTERSIM_SUBSYSTEMS(CLUSTERSIM_DECLARE_FACTORY)
#undef CLUSTERSIM_DECLARE_FACTORY

const std::vector<SubsystemEntry>& subsystem_registry() {
  // In the list's order (sim/scenario/subsystem_list.hpp): one that uses another's model after it.
#define CLUSTERSIM_ENTRY(name) {#name, &build_##name##_subsystem},
  static const std::vector<SubsystemEntry> registry = {CLUSTERSIM_SUBSYSTEMS(CLUSTERSIM_ENTRY)};
#undef CLUSTERSIM_ENTRY
  return registry;
}

std::vector<std::unique_ptr<Subsystem>> build_subsystems(SubsystemContext& ctx) {
  std::vector<std::unique_ptr<Subsystem>> built;
  for (const SubsystemEntry& entry : subsystem_registry())
    if (auto s = entry.build(ctx)) built.push_back(std::move(s));
  return built;
}

}  // namespace cs
