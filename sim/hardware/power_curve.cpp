#include "sim/hardware/power_curve.hpp"

#include <algorithm>

namespace cs {

double power_w(const GpuSpec& gpu, double utilization) {
  const double u = std::clamp(utilization, 0.0, 1.0);
  return gpu.idle_w + (gpu.tdp_w - gpu.idle_w) * u;
}

double energy_j(const GpuSpec& gpu, double utilization, double seconds) {
  return power_w(gpu, utilization) * seconds;
}

}  // namespace cs
