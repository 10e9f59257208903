#pragma once
// Analytical collective times on one kind of link, used until the topology and flow network
// carry the traffic: the alpha-beta model with ring algorithms, as NCCL runs them inside one
// NVLink domain. n GPUs, S bytes per GPU, bandwidth per GPU per direction, latency per step.
//   all-reduce:  2(n-1)/n * S / bw + 2(n-1) * latency   (reduce-scatter then all-gather)
//   all-gather / reduce-scatter:  (n-1)/n * S / bw + (n-1) * latency
//   all-to-all:  (n-1)/n * S / bw + (n-1) * latency      (pairwise exchange)
//   send/recv:   S / bw + latency
#include "sim/engine/time.hpp"
#include "sim/hardware/gpu_spec.hpp"

namespace cs {

struct LinkPath {
  double bandwidth_bytes_per_s = 0;  // achievable, efficiency applied
  Time latency;
};

// The path a group of `group_gpus` GPUs uses among themselves: the GPU link when the group
// fits in its domain, else PCIe (host bridges or the NIC behind the same switch; a stand-in
// until the network model exists).
LinkPath group_path(const GpuSpec& gpu, int group_gpus);

double all_reduce_seconds(double bytes, int gpus, const LinkPath& path);
double all_gather_seconds(double bytes, int gpus, const LinkPath& path);
double all_to_all_seconds(double bytes, int gpus, const LinkPath& path);
double send_recv_seconds(double bytes, const LinkPath& path);

}  // namespace cs
