#pragma once
// The fraction of a link's line rate that data actually gets: protocol headers, flow control,
// DMA and kernel overheads. A flow never sees more than line rate x this fraction, so defaults
// decide where simulated collective bandwidths land; each default names what it was set from.
#include <array>

#include "topology/topology_graph.hpp"

namespace cs {

struct LinkEfficiency {
  // NVLink: 0.80. NCCL maintainers quote ~230 GB/s all-reduce busbw on 8x A100 (300 GB/s each
  // way: 0.77) and ~370 GB/s ring busbw on 8x H100 (450 GB/s each way: 0.82) at 8 GB messages
  // (NVIDIA/nccl GitHub issues and nccl-tests results); 0.80 lands within 5% of both.
  double nvlink = 0.80;
  // PCIe: 0.80. CUDA's bandwidthTest sample moves ~25-26 GB/s pinned host<->device over a
  // Gen4 x16 link of 31.5 GB/s (TLP headers, DLLPs, DMA engine overheads).
  double pcie = 0.80;
  // InfiniBand: 0.94. NCCL maintainers quote ~46-48 GB/s busbw per 400 Gb/s (50 GB/s) NDR
  // NIC between nodes (NVIDIA/nccl GitHub issues); 0.94 x 50 = 47.
  double infiniband = 0.94;
  // Ethernet (RoCEv2): 0.90. Assumption: RoCE headers over a 4 KiB MTU cost ~2% and congestion
  // control / PFC pauses under collective load take several more; no measured figure is used.
  double ethernet = 0.90;
  // NVMe: 0.90. Drives reach ~90% of their rated sequential read in striped reads (assumption).
  double storage = 0.90;
  // DRAM and socket links: 0.80. STREAM-style copies reach ~80% of theoretical DDR bandwidth.
  double memory_bus = 0.80;

  // Every link at its full line rate: for tests that check formulas against line rates.
  static LinkEfficiency ideal() { return {1, 1, 1, 1, 1, 1}; }

  double fraction(LinkKind kind) const;
  // Throws std::invalid_argument unless every fraction is in (0, 1].
  void validate() const;
};

// Where NVLink SHARP (in-switch reduction, "NVLS") lands relative to the NVLink rate it rides
// on. NCCL maintainers quote ~480 GB/s NVLS all-reduce busbw on 8x H100; the traffic model
// of NVLS (each GPU sends and receives S·(n+1)/n) gives busbw = 2(n-1)/(n+1) x the per-GPU
// link rate, 560 GB/s at 450 GB/s x 0.80; the switch's reduction pipeline takes the rest:
// 480 / 560 = 0.857.
constexpr double kDefaultNvlsEfficiency = 0.857;

}  // namespace cs
