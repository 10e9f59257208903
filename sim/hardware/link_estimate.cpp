#include "sim/hardware/link_estimate.hpp"

namespace cs {

namespace {
// Host-side PCIe path: a DMA through the root complex or a NIC; a few microseconds per step.
constexpr Time kPcieStepLatency = Time::us(5);
}  // namespace

LinkPath group_path(const GpuSpec& gpu, int group_gpus) {
  if (gpu.link.present() && group_gpus <= gpu.link.domain_gpus)
    return {gpu.link.bandwidth_bytes_per_s * gpu.efficiency.gpu_link, gpu.link.latency};
  return {gpu.host_link_bytes_per_s(), kPcieStepLatency};
}

double all_reduce_seconds(double bytes, int gpus, const LinkPath& path) {
  if (gpus <= 1 || bytes <= 0) return 0;
  const double n = gpus;
  return 2 * (n - 1) / n * bytes / path.bandwidth_bytes_per_s + 2 * (n - 1) * path.latency.seconds();
}

double all_gather_seconds(double bytes, int gpus, const LinkPath& path) {
  if (gpus <= 1 || bytes <= 0) return 0;
  const double n = gpus;
  return (n - 1) / n * bytes / path.bandwidth_bytes_per_s + (n - 1) * path.latency.seconds();
}

double all_to_all_seconds(double bytes, int gpus, const LinkPath& path) {
  return all_gather_seconds(bytes, gpus, path);
}

double send_recv_seconds(double bytes, const LinkPath& path) {
  if (bytes <= 0) return 0;
  return bytes / path.bandwidth_bytes_per_s + path.latency.seconds();
}

}  // namespace cs
