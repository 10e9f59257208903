#pragma once
// The repository's catalogs, loaded once per test binary: the seed-fact tests run against the
// same numbers users get.
#include <string>

#include "sim/scenario/gpu_catalog_loader.hpp"
#include "sim/scenario/model_catalog_loader.hpp"

namespace cs::testing {

inline const GpuCatalog& repo_gpus() {
  static const GpuCatalog c = load_gpu_catalog(gpu_catalog_file(std::string(CLUSTERSIM_SOURCE_DIR) + "/configs"));
  return c;
}

inline const ModelCatalog& repo_models() {
  static const ModelCatalog c = load_model_catalog(model_catalog_dir(std::string(CLUSTERSIM_SOURCE_DIR) + "/configs"));
  return c;
}

inline const GpuSpec& gpu(const std::string& name) {
  return repo_gpus().get(name);
}
inline const TransformerSpec& model(const std::string& name) {
  return repo_models().get(name);
}

}  // namespace cs::testing
