#pragma once
// Roofline time of GPU work: a kernel class takes max(FLOPs / (peak x compute efficiency),
// bytes / (HBM bandwidth x memory efficiency)) plus a launch overhead per kernel. Work of
// different classes (GEMMs, attention) is timed class by class and summed, since one may be
// compute-bound while the other streams memory in the same step.
#include <array>
#include <exception>
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

  KernelWork& operator+=(const KernelWork& o) {  // same dtype expected
    flops += o.flops;
    bytes += o.bytes;
    launches += o.launches;
    return *this;
  }
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
  // Inline: an iteration model adds a handful of these per priced batch, millions of times.
  KernelTime& operator+=(const KernelTime& o) {
    compute_s += o.compute_s;
    memory_s += o.memory_s;
    roofline_s += o.roofline_s;
    compute_bound_s += o.compute_bound_s;
    launch_s += o.launch_s;
    return *this;
  }
  // The same work repeated n times (n layers).
  KernelTime times(double n) const {
    KernelTime t = *this;
    t.compute_s *= n;
    t.memory_s *= n;
    t.roofline_s *= n;
    t.compute_bound_s *= n;
    t.launch_s *= n;
    return t;
  }
};

KernelTime roofline_time(const GpuSpec& gpu, const KernelWork& work);
// Same with efficiencies given explicitly (sweeps, and tests at the ideal 1.0).
KernelTime roofline_time(const GpuSpec& gpu, const KernelWork& work, const KernelEfficiency& efficiency);

// The roofline over rates already multiplied by their efficiencies; roofline_time and
// RooflineRates both use it, so the cached rates give the same doubles as per-call lookups.
inline KernelTime roofline_at(double flops_per_s, double bytes_per_s, double launch_s, const KernelWork& work) {
  KernelTime t;
  if (work.flops > 0) t.compute_s = work.flops / flops_per_s;
  if (work.bytes > 0) t.memory_s = work.bytes / bytes_per_s;
  t.roofline_s = t.compute_s < t.memory_s ? t.memory_s : t.compute_s;  // std::max without <algorithm>
  if (t.compute_s > t.memory_s) t.compute_bound_s = t.roofline_s;
  t.launch_s = work.launches * launch_s;
  return t;
}

// One GPU's roofline denominators resolved once (the peak of every format through the
// wider-format fallback, HBM bandwidth, launch gap), for models that time many kernels on the
// same GPU: a serving replica prices millions of batches, and the catalog's peak map lookup
// per kernel dominated. time(w) equals roofline_time(gpu, w, efficiency) bit for bit, and a
// format the GPU cannot run throws the same error, when work in it is timed.
class RooflineRates {
 public:
  RooflineRates(const GpuSpec& gpu, const KernelEfficiency& efficiency);
  explicit RooflineRates(const GpuSpec& gpu) : RooflineRates(gpu, gpu.efficiency) {}
  // Inline: serving prices a decode step's attention with it ~100 million times a day.
  KernelTime time(const KernelWork& work) const {
    const auto i = static_cast<std::size_t>(work.dtype);
    if (work.flops > 0 && no_peak_[i]) std::rethrow_exception(no_peak_[i]);
    return roofline_at(flops_per_s_[i], bytes_per_s_, launch_s_, work);
  }

 private:
  static constexpr std::size_t kDtypes = 7;            // Dtype's enumerators
  std::array<double, kDtypes> flops_per_s_{};          // peak x compute efficiency
  std::array<std::exception_ptr, kDtypes> no_peak_{};  // set where peak_flops throws
  double bytes_per_s_ = 0;                             // bandwidth x memory efficiency
  double launch_s_ = 0;
};

}  // namespace cs
