#include "sim/scenario/gpu_catalog_loader.hpp"

#include <cstdlib>

#include "sim/scenario/catalog_entries_reader.hpp"

#ifndef CLUSTERSIM_CONFIG_DIR
#define CLUSTERSIM_CONFIG_DIR "configs"
#endif

namespace cs {

namespace {

void check_fraction(MapReader& r, std::string_view key, double value) {
  if (!(value > 0 && value <= 1)) r.fail(key, "an efficiency must lie in (0, 1]");
}

std::map<Dtype, double> read_peaks(MapReader r) {
  std::map<Dtype, double> peaks;
  for (const auto& [key, value] : r.node().entries) {
    const std::optional<Dtype> d = parse_dtype(key);
    if (!d)
      throw_config_error(value.key_where, r.path_of(key),
                         "unknown number format; expected one of " + dtype_names_joined());
    peaks[*d] = r.quantity(key, Dimension::kFlopRate);
    if (peaks[*d] <= 0) r.fail(key, "a peak must be positive");
  }
  if (peaks.empty()) throw_config_error(r.node().where, r.path(), "needs at least one peak, e.g. bf16: 312 TFLOP/s");
  return peaks;
}

GpuLinkSpec read_link(MapReader r) {
  GpuLinkSpec link;
  link.technology = r.choice<std::string>("technology", {{"nvlink", "nvlink"},
                                                         {"infinity-fabric", "infinity-fabric"},
                                                         {"roce", "roce"},
                                                         {"ici", "ici"},
                                                         {"none", "none"}});
  if (link.technology != "none") {
    link.generation = static_cast<int>(r.integer_or("generation", 0));
    link.bandwidth_bytes_per_s = r.quantity("bandwidth", Dimension::kBandwidth);
    if (link.bandwidth_bytes_per_s <= 0) r.fail("bandwidth", "must be positive");
    link.latency = r.duration_or("latency", link.latency);
    link.domain_gpus = static_cast<int>(r.integer("domain_gpus"));
    r.check_range("domain_gpus", link.domain_gpus, 1, 1'000'000);
  }
  r.finish();
  return link;
}

}  // namespace

KernelEfficiency read_kernel_efficiency(MapReader r, KernelEfficiency e) {
  e.compute = r.number_or("compute", e.compute);
  check_fraction(r, "compute", e.compute);
  e.memory = r.number_or("memory", e.memory);
  check_fraction(r, "memory", e.memory);
  e.launch_overhead = r.duration_or("launch_overhead", e.launch_overhead);
  e.host_link = r.number_or("host_link", e.host_link);
  check_fraction(r, "host_link", e.host_link);
  e.gpu_link = r.number_or("gpu_link", e.gpu_link);
  check_fraction(r, "gpu_link", e.gpu_link);
  r.finish();
  return e;
}

GpuSpec read_gpu_spec(MapReader r, const std::string& name, const KernelEfficiency& defaults) {
  GpuSpec g;
  g.name = name;
  g.display_name = r.string_or("display_name", name);
  g.vendor = r.string_or("vendor", "");
  r.optional("aliases");  // read by read_gpu_catalog
  g.peak_flops_per_s = read_peaks(r.map("peak_flops"));
  g.memory_bytes = r.quantity("memory", Dimension::kBytes);
  if (g.memory_bytes <= 0) r.fail("memory", "must be positive");
  g.memory_bandwidth_bytes_per_s = r.quantity("memory_bandwidth", Dimension::kBandwidth);
  if (g.memory_bandwidth_bytes_per_s <= 0) r.fail("memory_bandwidth", "must be positive");
  g.tdp_w = r.quantity("tdp", Dimension::kPower);
  if (g.tdp_w <= 0) r.fail("tdp", "must be positive");
  g.idle_w = r.quantity_or("idle_power", Dimension::kPower, 0.1 * g.tdp_w);
  if (g.idle_w < 0 || g.idle_w > g.tdp_w) r.fail("idle_power", "must lie between 0 and the TDP");
  if (r.has("link")) g.link = read_link(r.map("link"));
  {
    MapReader p = r.map("pcie", true);
    g.pcie.generation = static_cast<int>(p.integer_or("generation", g.pcie.generation));
    p.check_range("generation", g.pcie.generation, 1, 6);
    g.pcie.lanes = static_cast<int>(p.integer_or("lanes", g.pcie.lanes));
    p.check_range("lanes", g.pcie.lanes, 1, 32);
    p.finish();
  }
  g.node_gpus = static_cast<int>(r.integer_or("node_gpus", g.node_gpus));
  r.check_range("node_gpus", g.node_gpus, 1, 1024);
  g.efficiency = read_kernel_efficiency(r.map("efficiency", true), defaults);
  g.source = r.string("source");
  g.notes = r.string_or("notes", "");
  r.finish();
  validate_at(r, g);
  return g;
}

void read_gpu_catalog(MapReader& root, GpuCatalog& catalog) {
  KernelEfficiency defaults;
  if (root.has("defaults")) {
    MapReader d = root.map("defaults");
    defaults = read_kernel_efficiency(d.map("efficiency", true), defaults);
    // A scenario's defaults reach the GPUs already in the catalog too: the fractions it
    // names replace theirs (the rest stay as the catalog states them). In the catalog file
    // itself nothing is loaded yet, so this only shapes the entries below.
    for (const std::string& name : catalog.names()) {
      GpuSpec g = catalog.get(name);
      g.efficiency = read_kernel_efficiency(d.map("efficiency", true), g.efficiency);
      catalog.add(std::move(g));
    }
    d.finish();
  }
  read_catalog_entries(root, "gpus", catalog,
                       [&](MapReader entry, const std::string& name) { return read_gpu_spec(entry, name, defaults); });
}

GpuCatalog load_gpu_catalog(const std::filesystem::path& file) {
  const ConfigNode root = load_config_file(file);
  MapReader r(root, "");
  GpuCatalog catalog;
  read_gpu_catalog(r, catalog);
  r.finish();
  return catalog;
}

std::filesystem::path config_dir(const std::string& override_dir) {
  if (!override_dir.empty()) return override_dir;
  if (const char* env = std::getenv("CLUSTERSIM_CONFIG_DIR"); env && *env) return env;
  return CLUSTERSIM_CONFIG_DIR;
}

std::filesystem::path gpu_catalog_file(const std::filesystem::path& dir) {
  return dir / "hardware" / "gpus.yaml";
}

}  // namespace cs
