#pragma once
// Roofline time of GPU work: a kernel class takes max(FLOPs / (peak x compute efficiency),
// bytes / (HBM bandwidth x memory efficiency)) plus a launch overhead per kernel. Work of
// different classes (GEMMs, attention) is timed class by class and summed, since one may be
// compute-bound while the other streams memory in the same step.
#include <string_view>

#include "sim/hardware/dtype.hpp"
#include "sim/hardware/gpu_spec.hpp"

namespace cs {

enum class Bound { kCompute, kMemory, kHostLink };
std::string_view bound_name(Bound b);  // "compute", "memory", "host-link"

struct KernelWork {
  double flops = 0;
  double bytes = 0;            // HBM traffic: reads + writes
  double launches = 0;         // kernels launched for this work
  Dtype dtype = Dtype::kBf16;  // format whose tensor-core peak the FLOPs run at

  KernelWork& operator+=(const KernelWork& o);  // same dtype expected
};

struct KernelTime {
  double compute_s = 0;        // time the FLOPs alone would take
  double memory_s = 0;         // time the bytes alone would take
  double roofline_s = 0;       // sum over classes of max(compute, memory)
  double compute_bound_s = 0;  // share of roofline_s spent in compute-bound classes
  double launch_s = 0;
  double seconds() const { return roofline_s + launch_s; }
  // The bound that holds for most of roofline_s.
  Bound bound() const;
  KernelTime& operator+=(const KernelTime& o);
  // The same work repeated n times (n layers).
  KernelTime times(double n) const;
};

KernelTime roofline_time(const GpuSpec& gpu, const KernelWork& work);
// Same with efficiencies given explicitly (sweeps, and tests at the ideal 1.0).
KernelTime roofline_time(const GpuSpec& gpu, const KernelWork& work, const KernelEfficiency& efficiency);

}  // namespace cs
