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

namespace {
// The roofline itself, over rates already multiplied by their efficiencies: both entry points
// below share it, so the cached rates give the same doubles as the per-call lookups.
KernelTime roofline_at(double flops_per_s, double bytes_per_s, double launch_s, const KernelWork& work) {
  KernelTime t;
  if (work.flops > 0) t.compute_s = work.flops / flops_per_s;
  if (work.bytes > 0) t.memory_s = work.bytes / bytes_per_s;
  t.roofline_s = std::max(t.compute_s, t.memory_s);
  if (t.compute_s > t.memory_s) t.compute_bound_s = t.roofline_s;
  t.launch_s = work.launches * launch_s;
  return t;
}
}  // namespace

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

KernelTime RooflineRates::time(const KernelWork& work) const {
  const auto i = static_cast<std::size_t>(work.dtype);
  if (work.flops > 0 && no_peak_[i]) std::rethrow_exception(no_peak_[i]);
  return roofline_at(flops_per_s_[i], bytes_per_s_, launch_s_, work);
}

}  // namespace cs
