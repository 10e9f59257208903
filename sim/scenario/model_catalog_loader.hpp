#pragma once
// YAML -> TransformerSpec. Reads any map of models (`models:` in configs/models/*.yaml, or in
// a scenario that adds its own architecture).
#include <filesystem>
#include <string>

#include "sim/llm/model_catalog.hpp"
#include "sim/scenario/config_reader.hpp"

namespace cs {

TransformerSpec read_transformer_spec(MapReader r, const std::string& name);
// `models:` of a config root into `catalog`; leaves other keys alone.
void read_model_catalog(MapReader& root, ModelCatalog& catalog);
// Every *.yaml in a directory (in name order), or one file.
ModelCatalog load_model_catalog(const std::filesystem::path& dir_or_file);
std::filesystem::path model_catalog_dir(const std::filesystem::path& config_dir);

}  // namespace cs
