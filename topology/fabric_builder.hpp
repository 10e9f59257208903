#pragma once
// Fabrics: how the nodes' NICs are joined. Every builder attaches NIC ports to tier-0 switches
// in node-major order (node 0's NICs first), so neighbouring nodes share a leaf.
//   single_switch   every NIC on one switch (non-blocking by construction)
//   leaf_spine      leaves of `leaf_ports` NICs, every leaf wired to every spine; the uplink
//                   rate is chosen so leaf downlink : uplink capacity = `oversubscription`
//   fat_tree        three-tier k-ary fat-tree (Al-Fares et al., SIGCOMM 2008): k pods of k/2
//                   edge and k/2 aggregation switches, (k/2)^2 cores, full bisection
//   rail_optimized  NIC r of every node in a group of `rail_group_nodes` nodes on rail leaf r
//                   (so GPU r talks to GPU r of other nodes in one switch hop); groups are
//                   joined by a spine layer with the given oversubscription
#include <optional>
#include <string_view>

#include "topology/node_template.hpp"
#include "topology/object_store.hpp"
#include "topology/topology_graph.hpp"

namespace cs {

enum class FabricKind { kNone, kSingleSwitch, kLeafSpine, kFatTree, kRailOptimized };

std::string_view to_string(FabricKind k);

struct FabricSpec {
  FabricKind kind = FabricKind::kRailOptimized;
  LinkKind link_kind = LinkKind::kInfiniBand;
  double link_bytes_per_s = 0;       // NIC-to-leaf rate; 0 takes the node's NIC rate
  Time link_latency = Time::ns(500);  // per switch hop: port-to-port forwarding + cable + SerDes
  int leaf_ports = 32;               // NIC-facing ports of a leaf / rail switch
  double oversubscription = 1.0;     // leaf downlink capacity / uplink capacity (>= 1)
  int spines = 0;                    // 0: enough spines for the ratio at the leaf port rate
  int fat_tree_k = 0;                // 0: the smallest even k whose k^3/4 ports hold every NIC and whose
                                     // k/2 divides a node's NICs or is a multiple of them
  int rail_group_nodes = 0;          // 0: min(nodes, leaf_ports)
  // Flows take the equal-cost path with the emptiest bottleneck at their start (router.hpp)
  // instead of the static D-mod-K / ECMP choice. A property of the switches; the wiring is the same.
  bool adaptive_routing = false;
};

struct ClusterSpec {
  NodeSpec node;
  int nodes = 1;
  FabricSpec fabric;
  std::optional<ObjectStoreSpec> object_store;  // a shared storage cluster above the fabric
};

// Throws std::invalid_argument for an inconsistent spec (no NICs to attach, ratio < 1, ...).
Topology build_cluster(const ClusterSpec& spec);

// A default fabric latency per link technology: InfiniBand switches forward in ~0.1-0.2 us
// port to port (NVIDIA Quantum-2 datasheet), Ethernet data-centre switches in ~0.5-1 us.
Time default_fabric_latency(LinkKind kind);

}  // namespace cs
