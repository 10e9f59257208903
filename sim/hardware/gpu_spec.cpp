#include "sim/hardware/gpu_spec.hpp"

#include <stdexcept>

namespace cs {

double pcie_lane_bytes_per_s(int generation) {
  // Transfer rate (GT/s per lane) and line-code efficiency: 8b/10b up to gen2, 128b/130b for
  // gen3-5, 242/256 FLIT for gen6.
  struct Generation {
    double gigatransfers, code;
  };
  static constexpr Generation kGenerations[] = {{2.5, 8.0 / 10},   {5, 8.0 / 10},     {8, 128.0 / 130},
                                                {16, 128.0 / 130}, {32, 128.0 / 130}, {64, 242.0 / 256}};
  if (generation < 1 || generation > 6)
    throw std::invalid_argument("unknown PCIe generation " + std::to_string(generation) + " (known: 1-6)");
  const Generation& g = kGenerations[generation - 1];
  return g.gigatransfers * 1e9 * g.code / 8;
}

double PcieSpec::bandwidth_bytes_per_s() const {
  return pcie_lane_bytes_per_s(generation) * lanes;
}

Dtype GpuSpec::effective_compute_dtype(Dtype d) const {
  for (std::optional<Dtype> cur = d; cur; cur = wider_dtype(*cur)) {
    auto it = peak_flops_per_s.find(*cur);
    if (it != peak_flops_per_s.end() && it->second > 0) return *cur;
  }
  throw std::invalid_argument("GPU '" + name + "' lists no peak for " + std::string(dtype_name(d)) +
                              " or any wider format");
}

double GpuSpec::peak_flops(Dtype d) const {
  return peak_flops_per_s.at(effective_compute_dtype(d));
}

namespace {
void require(bool ok, const GpuSpec& gpu, const std::string& what) {
  if (!ok) throw std::invalid_argument("GPU '" + gpu.name + "': " + what);
}
bool is_fraction(double x) {
  return x > 0 && x <= 1;
}
}  // namespace

void validate(const GpuSpec& gpu) {
  require(!gpu.name.empty(), gpu, "name is empty");
  require(gpu.memory_bytes > 0, gpu, "memory must be positive");
  require(gpu.memory_bandwidth_bytes_per_s > 0, gpu, "memory bandwidth must be positive");
  require(!gpu.peak_flops_per_s.empty(), gpu, "needs at least one peak FLOP/s entry");
  for (const auto& [dtype, peak] : gpu.peak_flops_per_s)
    require(peak > 0, gpu, "peak for " + std::string(dtype_name(dtype)) + " must be positive");
  require(gpu.tdp_w > 0, gpu, "TDP must be positive");
  require(gpu.idle_w >= 0 && gpu.idle_w <= gpu.tdp_w, gpu, "idle power must lie in [0, TDP]");
  require(gpu.link.domain_gpus >= 1, gpu, "link domain must hold at least one GPU");
  require(gpu.link.bandwidth_bytes_per_s >= 0, gpu, "link bandwidth must not be negative");
  require(gpu.node_gpus >= 1, gpu, "node must hold at least one GPU");
  require(gpu.pcie.lanes > 0, gpu, "PCIe lanes must be positive");
  require(gpu.pcie.generation >= 1 && gpu.pcie.generation <= 6, gpu, "PCIe generation must be 1-6");
  const KernelEfficiency& e = gpu.efficiency;
  require(is_fraction(e.compute) && is_fraction(e.memory) && is_fraction(e.host_link) && is_fraction(e.gpu_link), gpu,
          "efficiencies must lie in (0, 1]");
  require(e.launch_overhead >= Time(), gpu, "launch overhead must not be negative");
}

}  // namespace cs
