#pragma once
// YAML -> PriceCatalog. Every file in configs/prices/ (in name order) adds `providers:`,
// `owned:` and `server_power:` entries; a scenario's `prices:` section adds or replaces
// entries of the same name, so a negotiated rate or a local electricity price is one block.
#include <filesystem>

#include "sim/cost/price_catalog.hpp"
#include "sim/scenario/config_reader.hpp"

namespace cs {

// The `providers:`, `owned:` and `server_power:` of `r` into `catalog` (same names replace).
void read_price_catalog(MapReader& r, PriceCatalog& catalog);
// Every *.yaml under `dir` (configs/prices).
PriceCatalog load_price_catalog(const std::filesystem::path& dir);
std::filesystem::path price_catalog_dir(const std::filesystem::path& config_dir);

}  // namespace cs
