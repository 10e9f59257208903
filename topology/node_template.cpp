#include "topology/node_template.hpp"

#include <stdexcept>

namespace cs {

namespace {

std::string prefixed(int node, std::string_view what, int index = -1) {
  std::string s = "n" + std::to_string(node) + "." + std::string(what);
  if (index >= 0) s += std::to_string(index);
  return s;
}

NodeSpec dgx_h100() {
  // NVIDIA DGX H100 datasheet: 8x H100 SXM5, NVLink 4 at 900 GB/s per GPU (450 GB/s each way)
  // through four third-generation NVSwitch chips (modelled as one switch, with NVLink SHARP),
  // 8x ConnectX-7 400 Gb/s compute NICs, 2x Xeon 8480C, 2 TB DDR5-4800 (8 channels x 38.4 GB/s
  // = 307 GB/s per socket), 8x 3.84 TB NVMe U.2 (Gen4, ~7 GB/s read each), PCIe Gen5 x16
  // (32 GT/s x 16 lanes, 128b/130b = 63 GB/s each way).
  NodeSpec s;
  s.name = "dgx_h100";
  s.layout = NodeLayout::kNvSwitch;
  s.gpus = 8;
  s.nvlink_bytes_per_s = 450e9;
  s.nvswitch_reduction = true;
  // One PCIe switch per GPU-NIC pair: GPU i's traffic leaves through NIC i, the pairing NCCL's
  // topology search makes (hop-count routing would otherwise hash between two NICs of a switch).
  s.pcie_switches = 8;
  s.pcie_bytes_per_s = 63e9;
  s.nics = 8;
  s.nic_bytes_per_s = 50e9;
  s.cpu_sockets = 2;
  s.socket_link_bytes_per_s = 64e9;  // assumption: 4 UPI 2.0 links; no datasheet figure used
  s.host_memory_bytes_per_s = 307e9;
  s.nvme_drives = 8;
  s.nvme_bytes_per_s = 7e9;
  return s;
}

NodeSpec dgx_a100() {
  // NVIDIA DGX A100 datasheet: 8x A100 SXM4, NVLink 3 at 600 GB/s per GPU (300 GB/s each way)
  // through six second-generation NVSwitch chips (no in-switch reduction), 8x ConnectX-6
  // 200 Gb/s HDR compute NICs, 2x EPYC 7742 (8 channels DDR4-3200 = 204.8 GB/s per socket),
  // PCIe Gen4 x16 (16 GT/s x 16, 128b/130b = 31.5 GB/s each way), 8x 3.84 TB NVMe (Gen4).
  NodeSpec s;
  s.name = "dgx_a100";
  s.layout = NodeLayout::kNvSwitch;
  s.gpus = 8;
  s.nvlink_bytes_per_s = 300e9;
  s.nvswitch_reduction = false;
  // The board has four switches of two GPUs + two NICs; modelled as eight halves so that GPU i
  // pairs with NIC i (see dgx_h100).
  s.pcie_switches = 8;
  s.pcie_bytes_per_s = 31.5e9;
  s.nics = 8;
  s.nic_bytes_per_s = 25e9;
  s.cpu_sockets = 2;
  s.socket_link_bytes_per_s = 64e9;  // assumption: Infinity Fabric xGMI between sockets
  s.host_memory_bytes_per_s = 204.8e9;
  s.nvme_drives = 8;
  s.nvme_bytes_per_s = 6.5e9;
  return s;
}

NodeSpec pcie_8gpu() {
  // A generic 8-GPU PCIe server (e.g. 8x L40S or H100 PCIe): two GPUs per Gen4 x16 switch,
  // switches split across two sockets, two shared 100 GbE NICs (ConnectX-6 Dx class).
  NodeSpec s;
  s.name = "pcie_8gpu";
  s.layout = NodeLayout::kPcieOnly;
  s.gpus = 8;
  s.nvlink_bytes_per_s = 0;
  s.pcie_switches = 4;
  s.pcie_bytes_per_s = 31.5e9;
  s.nics = 2;
  s.nic_bytes_per_s = 12.5e9;
  s.cpu_sockets = 2;
  s.socket_link_bytes_per_s = 64e9;
  s.host_memory_bytes_per_s = 204.8e9;
  s.nvme_drives = 4;
  s.nvme_bytes_per_s = 7e9;
  return s;
}

NodeSpec hgx_4gpu() {
  // HGX A100 4-GPU board: each A100 has 12 NVLink 3 links of 25 GB/s each way, four to each of
  // the three other GPUs, so 100 GB/s each way per pair. One socket, Gen4 PCIe, four 200 Gb/s NICs.
  NodeSpec s;
  s.name = "hgx_4gpu";
  s.layout = NodeLayout::kNvLinkPairs;
  s.gpus = 4;
  s.nvlink_bytes_per_s = 100e9;
  s.pcie_switches = 2;
  s.pcie_bytes_per_s = 31.5e9;
  s.nics = 4;
  s.nic_bytes_per_s = 25e9;
  s.cpu_sockets = 1;
  s.host_memory_bytes_per_s = 204.8e9;
  s.nvme_drives = 2;
  s.nvme_bytes_per_s = 7e9;
  return s;
}

NodeSpec cpu_host() {
  // A dual-socket storage / weight-serving host: DDR5 DRAM, 8 Gen4 NVMe drives, one 200 Gb/s NIC.
  NodeSpec s;
  s.name = "cpu_host";
  s.layout = NodeLayout::kCpuHost;
  s.gpus = 0;
  s.nvlink_bytes_per_s = 0;
  s.pcie_switches = 0;
  s.pcie_bytes_per_s = 63e9;
  s.nics = 1;
  s.nic_bytes_per_s = 25e9;
  s.cpu_sockets = 2;
  s.host_memory_bytes_per_s = 307e9;
  s.nvme_drives = 8;
  s.nvme_bytes_per_s = 7e9;
  return s;
}

}  // namespace

void validate(const NodeSpec& s) {
  auto fail = [&](const std::string& what) { throw std::invalid_argument("node '" + s.name + "': " + what); };
  if (s.cpu_sockets < 1) fail("needs at least one CPU socket");
  if (s.gpus < 0 || s.gpus > 4096) fail("gpus must be in [0, 4096]");
  if (s.layout == NodeLayout::kCpuHost && s.gpus != 0) fail("a cpu_host node has no GPUs");
  if (s.layout != NodeLayout::kCpuHost && s.gpus < 1) fail("needs at least one GPU");
  if ((s.layout == NodeLayout::kNvSwitch || s.layout == NodeLayout::kNvLinkPairs) && !(s.nvlink_bytes_per_s > 0))
    fail("NVLink bandwidth must be positive");
  if (s.pcie_switches < 0) fail("pcie_switches must not be negative");
  if (s.nics < 0) fail("nics must not be negative");
  if (s.nics > 0 && !(s.nic_bytes_per_s > 0)) fail("NIC bandwidth must be positive");
  if (!(s.pcie_bytes_per_s > 0)) fail("PCIe bandwidth must be positive");
  if (!(s.host_memory_bytes_per_s > 0)) fail("host memory bandwidth must be positive");
  if (s.cpu_sockets > 1 && !(s.socket_link_bytes_per_s > 0)) fail("socket link bandwidth must be positive");
  if (s.nvme_drives < 0) fail("nvme_drives must not be negative");
  if (s.nvme_drives > 0 && !(s.nvme_bytes_per_s > 0)) fail("NVMe bandwidth must be positive");
}

NodeVertices add_node(Topology& topo, const NodeSpec& s, int node) {
  validate(s);
  NodeVertices out;
  const Time host_latency = Time::ns(100);
  for (int c = 0; c < s.cpu_sockets; ++c) {
    out.cpus.push_back(topo.add_vertex(VertexKind::kCpu, prefixed(node, "cpu", c), node, c));
    out.memories.push_back(topo.add_vertex(VertexKind::kHostMemory, prefixed(node, "mem", c), node, c));
    topo.add_link(out.cpus.back(), out.memories.back(), LinkKind::kMemoryBus, s.host_memory_bytes_per_s,
                  host_latency);
  }
  for (int c = 1; c < s.cpu_sockets; ++c)
    topo.add_link(out.cpus[c - 1], out.cpus[c], LinkKind::kMemoryBus, s.socket_link_bytes_per_s, host_latency);

  // PCIe switches alternate between sockets; without switches, devices use CPU root ports.
  std::vector<VertexId> pcie_roots;
  for (int p = 0; p < s.pcie_switches; ++p) {
    const VertexId sw = topo.add_vertex(VertexKind::kPcieSwitch, prefixed(node, "pcie", p), node, p);
    topo.add_link(sw, out.cpus[p % s.cpu_sockets], LinkKind::kPcie, s.pcie_bytes_per_s, s.pcie_latency);
    pcie_roots.push_back(sw);
  }
  if (pcie_roots.empty()) pcie_roots = out.cpus;
  const auto root_for = [&](int index, int count) {
    return pcie_roots[static_cast<std::size_t>(index) * pcie_roots.size() / static_cast<std::size_t>(count)];
  };

  for (int g = 0; g < s.gpus; ++g) {
    out.gpus.push_back(topo.add_vertex(VertexKind::kGpu, prefixed(node, "gpu", g), node, g));
    topo.add_link(out.gpus.back(), root_for(g, s.gpus), LinkKind::kPcie, s.pcie_bytes_per_s, s.pcie_latency);
  }
  if (s.layout == NodeLayout::kNvSwitch) {
    VertexInfo sw;
    sw.kind = VertexKind::kNvSwitch;
    sw.name = prefixed(node, "nvswitch");
    sw.node = node;
    sw.local = 0;
    sw.in_switch_reduction = s.nvswitch_reduction;
    out.nvswitch = topo.add_vertex(std::move(sw));
    for (const VertexId g : out.gpus)
      topo.add_link(g, out.nvswitch, LinkKind::kNvLink, s.nvlink_bytes_per_s, s.nvlink_latency);
  } else if (s.layout == NodeLayout::kNvLinkPairs) {
    for (std::size_t a = 0; a < out.gpus.size(); ++a)
      for (std::size_t b = a + 1; b < out.gpus.size(); ++b)
        topo.add_link(out.gpus[a], out.gpus[b], LinkKind::kNvLink, s.nvlink_bytes_per_s, s.nvlink_latency);
  }
  for (int n = 0; n < s.nics; ++n) {
    out.nics.push_back(topo.add_vertex(VertexKind::kNic, prefixed(node, "nic", n), node, n));
    topo.add_link(out.nics.back(), root_for(n, s.nics), LinkKind::kPcie, s.pcie_bytes_per_s, s.pcie_latency);
  }
  if (s.nvme_drives > 0) {
    // The drives as one array on socket 0: reads stripe across them.
    out.storage = topo.add_vertex(VertexKind::kStorage, prefixed(node, "nvme"), node, 0);
    topo.add_link(out.storage, out.cpus[0], LinkKind::kStorage, s.nvme_drives * s.nvme_bytes_per_s, Time::us(10));
  }
  return out;
}

NodeSpec node_preset(std::string_view name) {
  if (name == "dgx_h100" || name == "hgx_h100") return dgx_h100();
  if (name == "dgx_a100" || name == "hgx_a100") return dgx_a100();
  if (name == "pcie_8gpu") return pcie_8gpu();
  if (name == "hgx_4gpu") return hgx_4gpu();
  if (name == "cpu_host") return cpu_host();
  std::string list;
  for (const auto& n : node_preset_names()) list += (list.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown node template '" + std::string(name) + "'; known: " + list);
}

std::vector<std::string> node_preset_names() { return {"dgx_h100", "dgx_a100", "pcie_8gpu", "hgx_4gpu", "cpu_host"}; }

}  // namespace cs
