#pragma once
// Board power as a function of utilization: linear from idle to TDP. Measured curves of
// A100/H100 under GEMM load are close to linear in SM activity; the straight line keeps
// energy additive over a utilization timeline.
#include "sim/hardware/gpu_spec.hpp"

namespace cs {

// utilization in [0, 1] (clamped).
double power_w(const GpuSpec& gpu, double utilization);
// Energy in joules for `seconds` at constant utilization.
double energy_j(const GpuSpec& gpu, double utilization, double seconds);

}  // namespace cs
