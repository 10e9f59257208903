#include "sim/hardware/roofline.hpp"

#include <algorithm>
#include <stdexcept>

namespace cs {

std::string_view bound_name(Bound b) {
  switch (b) {
    case Bound::kCompute:
      return "compute";
    case Bound::kMemory:
      return "memory";
    case Bound::kHostLink:
      return "host-link";
  }
  return "?";
}

Bound KernelTime::bound() const {
  return 2 * compute_bound_s > roofline_s ? Bound::kCompute : Bound::kMemory;
}

KernelTime roofline_time(const GpuSpec& gpu, const KernelWork& work, const KernelEfficiency& efficiency) {
  // The peak is looked up only for work that has FLOPs: a format the GPU lacks throws then.
  const double flops_per_s = work.flops > 0 ? gpu.peak_flops(work.dtype) * efficiency.compute : 0;
  return roofline_at(flops_per_s, gpu.memory_bandwidth_bytes_per_s * efficiency.memory,
                     efficiency.launch_overhead.seconds(), work);
}

KernelTime roofline_time(const GpuSpec& gpu, const KernelWork& work) {
  return roofline_time(gpu, work, gpu.efficiency);
}

RooflineRates::RooflineRates(const GpuSpec& gpu, const KernelEfficiency& efficiency)
    : bytes_per_s_(gpu.memory_bandwidth_bytes_per_s * efficiency.memory),
      launch_s_(efficiency.launch_overhead.seconds()) {
  static_assert(static_cast<std::size_t>(Dtype::kInt4) + 1 == kDtypes, "one rate per Dtype");
  for (const Dtype d : all_dtypes()) {
    const auto i = static_cast<std::size_t>(d);
    try {
      flops_per_s_[i] = gpu.peak_flops(d) * efficiency.compute;
    } catch (const std::invalid_argument&) {
      no_peak_[i] = std::current_exception();
    }
  }
}

}  // namespace cs
