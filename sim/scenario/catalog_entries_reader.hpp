#pragma once
// What the GPU and model catalog loaders share: reading a map of named entries (each with an
// optional `aliases:` list) into a NamedCatalog, and reporting a spec's own validation failure
// at the entry's place in the YAML.
#include <stdexcept>
#include <string_view>

#include "sim/scenario/config_reader.hpp"

namespace cs {

// Runs the model-side `validate(spec)`; its std::invalid_argument becomes a ConfigError at r.
template <typename Spec>
void validate_at(const MapReader& r, const Spec& spec) {
  try {
    validate(spec);
  } catch (const std::invalid_argument& e) {
    throw_config_error(r.node().where, r.path(), e.what());
  }
}

// `read(MapReader entry, const std::string& name)` returns the spec of one entry; it must
// accept (and ignore) the `aliases` key, which is read here.
template <typename Catalog, typename Read>
void read_catalog_entries(MapReader& root, std::string_view key, Catalog& catalog, Read read) {
  const ConfigNode* entries = root.optional(key);
  if (!entries) return;
  MapReader all(*entries, root.path_of(key));
  for (const auto& entry_node : entries->entries) {
    const std::string& name = entry_node.first;
    MapReader entry = all.map(name);
    catalog.add(read(entry, name));
    for (const ConfigItem& alias : entry.items("aliases")) catalog.add_alias(read_string(alias.node, alias.path), name);
  }
  all.finish();
}

}  // namespace cs
