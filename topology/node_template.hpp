#pragma once
// Server templates: what is inside one node and how it is wired. Every template has a host
// (CPU sockets with their DRAM, and NVMe drives), so host-to-GPU copies (weight streaming,
// checkpoint loads) are routable like any other transfer. The NICs are the node's ports to
// the fabric; the fabric builders attach them.
#include <string>
#include <string_view>
#include <vector>

#include "topology/topology_graph.hpp"

namespace cs {

enum class NodeLayout {
  kNvSwitch,     // every GPU has one NVLink port group into an NVSwitch (HGX/DGX)
  kPcieOnly,     // GPUs talk over PCIe switches and the CPU; NICs shared between GPUs
  kNvLinkPairs,  // a direct NVLink between every pair of GPUs (HGX 4-GPU boards)
  kCpuHost,      // no GPUs: a CPU server with DRAM, NVMe and NICs (storage / parameter host)
};

struct NodeSpec {
  std::string name = "dgx_h100";
  NodeLayout layout = NodeLayout::kNvSwitch;
  int gpus = 8;
  // kNvSwitch: each GPU's bandwidth into the switch, per direction. kNvLinkPairs: per pair.
  double nvlink_bytes_per_s = 450e9;
  Time nvlink_latency = Time::ns(250);
  bool nvswitch_reduction = false;     // NVLink SHARP (NVLS) in the switch, Hopper and later
  int pcie_switches = 4;               // 0: GPUs and NICs hang off the CPU root ports
  double pcie_bytes_per_s = 64e9;      // one x16 link, per direction
  Time pcie_latency = Time::ns(250);
  int nics = 8;
  double nic_bytes_per_s = 50e9;       // per NIC per direction
  int cpu_sockets = 2;
  double socket_link_bytes_per_s = 64e9;     // UPI / xGMI between sockets, per direction
  double host_memory_bytes_per_s = 300e9;    // DRAM per socket
  int nvme_drives = 8;
  double nvme_bytes_per_s = 7e9;       // sequential read per drive
};

// The vertices add_node() created, by role.
struct NodeVertices {
  std::vector<VertexId> gpus;
  std::vector<VertexId> nics;
  std::vector<VertexId> cpus;
  std::vector<VertexId> memories;
  VertexId nvswitch = kNoVertex;
  VertexId storage = kNoVertex;
};

// Adds one node's vertices and internal links; names are prefixed "n<node>.".
NodeVertices add_node(Topology& topo, const NodeSpec& spec, int node);

// Built-in templates by name ("dgx_h100", "dgx_a100", "pcie_8gpu", "hgx_4gpu", "cpu_host");
// throws std::invalid_argument listing the names for an unknown one.
NodeSpec node_preset(std::string_view name);
std::vector<std::string> node_preset_names();

// Throws std::invalid_argument naming the first inconsistent field.
void validate(const NodeSpec& spec);

}  // namespace cs
