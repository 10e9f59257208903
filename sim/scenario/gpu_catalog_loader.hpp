#pragma once
// YAML -> GpuSpec. Reads any map of GPUs (`gpus:` in configs/hardware/gpus.yaml, or in a
// scenario that `extends:` it and adds its own), so users add GPUs without touching the
// catalog. Every number goes through the quantity parser with its unit ("3.35 TB/s", "700 W").
#include <filesystem>
#include <string>

#include "sim/hardware/gpu_catalog.hpp"
#include "sim/scenario/config_reader.hpp"

namespace cs {

// An `efficiency:` map laid over `base` (compute, memory, launch_overhead, host_link, gpu_link).
KernelEfficiency read_kernel_efficiency(MapReader r, KernelEfficiency base);
// One GPU entry; `defaults` are the catalog-wide efficiencies it may override.
GpuSpec read_gpu_spec(MapReader r, const std::string& name, const KernelEfficiency& defaults);
// `defaults:` and `gpus:` of a config root into `catalog` (entries of the same name replace
// earlier ones). Leaves other keys of `root` alone; the caller finishes it.
void read_gpu_catalog(MapReader& root, GpuCatalog& catalog);
// A whole catalog file (nothing but `defaults:` and `gpus:`).
GpuCatalog load_gpu_catalog(const std::filesystem::path& file);

// Where the catalogs live: `override_dir` if given, else $CLUSTERSIM_CONFIG_DIR, else the
// repository's configs/ (compiled in).
std::filesystem::path config_dir(const std::string& override_dir = "");
std::filesystem::path gpu_catalog_file(const std::filesystem::path& config_dir);

}  // namespace cs
