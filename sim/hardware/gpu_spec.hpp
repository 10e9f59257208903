#pragma once
// What one accelerator can do, as plain numbers in SI units: dense tensor-core peaks per
// format, memory, power, and the two ways off the chip (GPU-to-GPU link, PCIe to the host).
// Filled from configs/hardware/gpus.yaml by sim/scenario/gpu_catalog_loader, or by hand in
// tests; models never see YAML.
#include <map>
#include <string>

#include "sim/engine/time.hpp"
#include "sim/hardware/dtype.hpp"

namespace cs {

// Achievable fractions of the nominal peaks. Datasheet peaks are never reached: large bf16
// GEMMs run at ~70-80% of dense peak (cuBLAS on A100/H100), streaming kernels move ~80-90% of
// nominal HBM bandwidth (BabelStream), pinned host-to-device copies reach ~80% of the PCIe
// payload rate, and NCCL bus bandwidth on NVLink is ~80% of the link rate. The catalog states
// the value it uses per GPU and why; these defaults apply where it says nothing.
struct KernelEfficiency {
  double compute = 0.75;
  double memory = 0.85;
  // Gap between dependent kernels when a step is replayed as a CUDA graph (vLLM and
  // TensorRT-LLM decode); eager launches cost ~5-10 us instead.
  Time launch_overhead = Time::ns(1500);
  double host_link = 0.8;
  double gpu_link = 0.8;
};

struct GpuLinkSpec {
  std::string technology = "none";  // "nvlink", "infinity-fabric", "roce", "ici", "none"
  int generation = 0;
  // Per GPU, per direction, all its links together (NVLink 4 on H100: 18 links, 450 GB/s).
  double bandwidth_bytes_per_s = 0;
  // Per message step of a collective, protocol overhead included (NCCL small-message latency).
  Time latency = Time::us(1);
  // GPUs that reach each other over this link: 8 behind an NVSwitch baseboard, 2 over a bridge.
  int domain_gpus = 1;

  bool present() const { return domain_gpus > 1 && bandwidth_bytes_per_s > 0; }
};

struct PcieSpec {
  int generation = 4;
  int lanes = 16;
  // Payload rate per direction after line encoding (gen4 x16: 31.5 GB/s).
  double bandwidth_bytes_per_s() const;
};
// Per-lane payload rate of a PCIe generation (8b/10b up to gen2, 128b/130b for gen3-5, FLIT
// for gen6); throws std::invalid_argument for unknown generations.
double pcie_lane_bytes_per_s(int generation);

struct GpuSpec {
  std::string name;          // catalog key, e.g. "h100-sxm"
  std::string display_name;  // "NVIDIA H100 SXM5 80GB"
  std::string vendor;
  std::map<Dtype, double> peak_flops_per_s;  // dense (no 2:4 sparsity), per format
  double memory_bytes = 0;
  double memory_bandwidth_bytes_per_s = 0;
  double tdp_w = 0;
  double idle_w = 0;
  GpuLinkSpec link;
  PcieSpec pcie;
  // GPUs in one typical server; TP over PCIe stays inside it when there is no GPU link.
  int node_gpus = 8;
  KernelEfficiency efficiency;
  std::string source;  // datasheet(s) the numbers come from
  std::string notes;

  // Dense peak used for work in `d`: the listed peak, or that of the next wider format the
  // GPU has (see wider_dtype). Throws std::invalid_argument if it has none.
  double peak_flops(Dtype d) const;
  // The format whose peak peak_flops(d) uses.
  Dtype effective_compute_dtype(Dtype d) const;
  double host_link_bytes_per_s() const { return pcie.bandwidth_bytes_per_s() * efficiency.host_link; }
  // Largest tensor-parallel group that stays on the GPU link (or in one server over PCIe).
  int tensor_parallel_domain() const { return link.present() ? link.domain_gpus : node_gpus; }
};

// Checks a spec a user wrote: positive memory and bandwidth, at least one peak, idle <= TDP,
// efficiencies in (0, 1]. Throws std::invalid_argument naming the GPU and the field.
void validate(const GpuSpec& gpu);

}  // namespace cs
