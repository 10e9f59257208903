#include "sim/hardware/roofline.hpp"

#include <algorithm>

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

KernelWork& KernelWork::operator+=(const KernelWork& o) {
  flops += o.flops;
  bytes += o.bytes;
  launches += o.launches;
  return *this;
}

Bound KernelTime::bound() const {
  return 2 * compute_bound_s > roofline_s ? Bound::kCompute : Bound::kMemory;
}

KernelTime& KernelTime::operator+=(const KernelTime& o) {
  compute_s += o.compute_s;
  memory_s += o.memory_s;
  roofline_s += o.roofline_s;
  compute_bound_s += o.compute_bound_s;
  launch_s += o.launch_s;
  return *this;
}

KernelTime KernelTime::times(double n) const {
  KernelTime t = *this;
  t.compute_s *= n;
  t.memory_s *= n;
  t.roofline_s *= n;
  t.compute_bound_s *= n;
  t.launch_s *= n;
  return t;
}

KernelTime roofline_time(const GpuSpec& gpu, const KernelWork& work, const KernelEfficiency& efficiency) {
  KernelTime t;
  if (work.flops > 0) t.compute_s = work.flops / (gpu.peak_flops(work.dtype) * efficiency.compute);
  if (work.bytes > 0) t.memory_s = work.bytes / (gpu.memory_bandwidth_bytes_per_s * efficiency.memory);
  t.roofline_s = std::max(t.compute_s, t.memory_s);
  if (t.compute_s > t.memory_s) t.compute_bound_s = t.roofline_s;
  t.launch_s = work.launches * efficiency.launch_overhead.seconds();
  return t;
}

KernelTime roofline_time(const GpuSpec& gpu, const KernelWork& work) {
  return roofline_time(gpu, work, gpu.efficiency);
}

}  // namespace cs
