#pragma once
// What the catalog loaders (GPUs, models, prices) share: the YAML files of a catalog folder,
// reading a map of named entries (each with an optional `aliases:` list) into a NamedCatalog,
// and reporting a spec's own validation failure at the entry's place in the YAML.
#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <string_view>
#include <vector>

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

// The `.yaml` files of a catalog folder in name order (later files override earlier entries),
// or a file path alone (opening it reports a missing one).
inline std::vector<std::filesystem::path> catalog_files(const std::filesystem::path& dir_or_file) {
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(dir_or_file)) {
    for (const auto& e : std::filesystem::directory_iterator(dir_or_file))
      if (e.path().extension() == ".yaml") files.push_back(e.path());
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(dir_or_file);
  }
  return files;
}

// Reads every file of `catalog_files(dir_or_file)` with `read(MapReader& top_level)`, which
// leaves unknown top-level keys to the finish() here.
template <typename Read>
void read_catalog_files(const std::filesystem::path& dir_or_file, Read read) {
  for (const auto& file : catalog_files(dir_or_file)) {
    const ConfigNode root = load_config_file(file);
    MapReader r(root, "");
    read(r);
    r.finish();
  }
}

// A whole number in [lo, hi] (a count or a size) as an int.
inline int read_size(MapReader& r, std::string_view key, int lo, int hi) {
  const auto v = r.integer(key);
  r.check_range(key, static_cast<double>(v), lo, hi);
  return static_cast<int>(v);
}
inline int read_size_or(MapReader& r, std::string_view key, int fallback, int lo, int hi) {
  const auto v = r.integer_or(key, fallback);
  r.check_range(key, static_cast<double>(v), lo, hi);
  return static_cast<int>(v);
}

// Calls `read(MapReader entry, const std::string& name)` for each entry of the map under `key`
// (none when the key is absent).
template <typename Read>
void for_each_named_entry(MapReader& root, std::string_view key, Read read) {
  const ConfigNode* entries = root.optional(key);
  if (!entries) return;
  MapReader all(*entries, root.path_of(key));
  for (const auto& entry_node : entries->entries) read(all.map(entry_node.first), entry_node.first);
  all.finish();
}

// `read(MapReader entry, const std::string& name)` returns the spec of one entry; it must
// accept (and ignore) the `aliases` key, which is read here.
template <typename Catalog, typename Read>
void read_catalog_entries(MapReader& root, std::string_view key, Catalog& catalog, Read read) {
  for_each_named_entry(root, key, [&](MapReader entry, const std::string& name) {
    catalog.add(read(entry, name));
    for (const ConfigItem& alias : entry.items("aliases")) catalog.add_alias(read_string(alias.node, alias.path), name);
  });
}

}  // namespace cs
