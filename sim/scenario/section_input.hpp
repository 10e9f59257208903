#pragma once
// What a subsystem's section reader (sim/scenario/subsystem_list.hpp) is given: the scenario's
// top level, and the catalogs that names in it resolve against.
#include "sim/cost/price_catalog.hpp"
#include "sim/hardware/gpu_catalog.hpp"
#include "sim/llm/model_catalog.hpp"
#include "sim/scenario/config_reader.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/subsystem_list.hpp"

namespace cs {

// The default catalogs plus the scenario's own `gpus:`, `models:` and `prices:` (same names
// replace). Loaded only where a section names GPUs or models (serving, a training cluster).
struct Catalogs {
  GpuCatalog gpus;
  ModelCatalog models;
  PriceCatalog prices;
};

struct SectionInput {
  MapReader& root;
  const Catalogs& catalogs;
};

// Each reader fills its part of `s` from `in.root` (nothing where the scenario has no section
// for it); the readers before it in the list have filled theirs. Throws ConfigError.
#define CLUSTERSIM_DECLARE_SECTION_READER(name) void read_##name##_section(SectionInput& in, Scenario& s);
CLUSTERSIM_SUBSYSTEMS(CLUSTERSIM_DECLARE_SECTION_READER)
#undef CLUSTERSIM_DECLARE_SECTION_READER

}  // namespace cs
