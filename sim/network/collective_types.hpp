#pragma once
// Collective operations, their algorithms, tuning and result records, with the nccl-tests
// conventions for sizes and bandwidths (nccl-tests doc/PERFORMANCE.md):
//   bytes    all_reduce, broadcast, send_recv: the buffer each rank holds;
//            all_gather: the gathered output (n x each rank's part);
//            reduce_scatter: the input (n x each rank's result); all_to_all: each rank's send buffer.
//   algbw    = bytes / time
//   busbw    = algbw x 2(n-1)/n (all_reduce), x (n-1)/n (all_gather, reduce_scatter, all_to_all),
//              x 1 (broadcast, send_recv): the per-link rate, comparable to the hardware peak.
#include <cstdint>
#include <array>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "sim/engine/time.hpp"
#include "sim/network/link_efficiency.hpp"
#include "topology/topology_graph.hpp"

namespace cs {

enum class CollectiveOp : std::uint8_t { kAllReduce, kAllGather, kReduceScatter, kAllToAll, kBroadcast, kSendRecv };

enum class CollectiveAlgorithm : std::uint8_t {
  kAuto,          // the fastest by the analytical cost model for this size and topology
  kRing,          // ring: n-1 (or 2(n-1)) steps of S/n between ring neighbours
  kTree,          // all_reduce: NCCL's tree, pipelined in chunks: a double binary tree over the
                  // nodes with a chain through each node's GPUs, one tree pair per NIC
                  // (tree_channels.hpp); inside one node a double binary tree over the GPUs
  kHierarchical,  // all_reduce: reduce-scatter in each node, all-reduce across nodes per local
                  // GPU index (one rail each), all-gather in each node
  kNvls,          // in-switch reduction / multicast on an NVLink SHARP NVSwitch (one node)
  kDirect,        // all_to_all: every pair at once; send_recv: one flow
  kPipeline,      // broadcast: a chain from the root, pipelined in chunks
  kCollnet,       // all_reduce with in-network reduction (NCCL CollNet on InfiniBand SHARP):
                  // reduce-scatter in each node, each local index's share reduced by the
                  // switches (sent once up, received once down), all-gather in each node
  kNvlsTree,      // all_reduce (NCCL 2.18+ NVLS_TREE): NVLS reduce-scatter in each node, the tree
                  // across nodes per local index, NVLS all-gather in each node
};

// In-network reduction of the InfiniBand switches (NVIDIA SHARP streaming aggregation), by
// switch generation, for its documented limit on concurrent aggregation (NVIDIA SHARP Rev 3.13.0
// release notes, "General Information"): Quantum (HDR) runs one active streaming-aggregation
// tree per switch, Quantum-2 (NDR) one per port.
enum class SharpGeneration : std::uint8_t { kNone, kQuantum, kQuantum2 };
std::string_view to_string(SharpGeneration g);
std::optional<SharpGeneration> sharp_generation_from_string(std::string_view s);

std::string_view to_string(CollectiveOp op);
std::string_view to_string(CollectiveAlgorithm a);
std::optional<CollectiveOp> collective_op_from_string(std::string_view s);
std::optional<CollectiveAlgorithm> collective_algorithm_from_string(std::string_view s);

// busbw / algbw for an operation on n ranks (nccl-tests).
double bus_bandwidth_factor(CollectiveOp op, std::size_t ranks);

// NCCL's three protocols (NCCL docs, "NCCL_PROTO"; the constants below are the figures of
// NCCL's tuning model, src/graph/tuning.cc, ring column, NCCL 2.18):
//   LL      8-byte stores of 4 bytes data + 4 bytes flag: lowest latency, half the bandwidth;
//   LL128   128-byte lines of 120 bytes data + 8 bytes flag (NVLink / IB with ordered writes);
//   Simple  large chunks behind a memory fence and one flag: full bandwidth, highest latency.
enum class CollectiveProtocol : std::uint8_t { kAuto, kLL, kLL128, kSimple };
std::string_view to_string(CollectiveProtocol p);
std::optional<CollectiveProtocol> collective_protocol_from_string(std::string_view s);

struct ProtocolCost {
  Time base_latency;         // per collective (NCCL baseLat)
  Time hop_nvlink;           // per handshake of a step whose slowest hop is NVLink (NCCL hwLat NVLINK)
  Time hop_pcie;             // ... PCIe (hwLat PCI)
  Time hop_network;          // ... the network between nodes (hwLat NET)
  double payload_fraction;   // data bytes per byte on the wire
  // Handshakes (flag waits) in one ring step. Simple moves a step's chunk as slices, each
  // released by its own flag after a memory fence: NCCL's ring kernels cut a chunk into
  // CHUNKSTEPS / SLICESTEPS = (NCCL_STEPS/2) / (NCCL_STEPS/4) = 2 slices (src/device/
  // all_reduce.h, all_gather.h, reduce_scatter.h), and the next rank forwards a slice only once
  // its flag arrived, so a message's first slices wait for steps x 2 flags in turn while later
  // ones stream behind them (the pipeline's fill). LL and LL128 carry a flag in every 8- or
  // 128-byte line: data streams as it lands, one handshake a step. Counted for rings inside a
  // node; a ring across the network pays NCCL's per-step network latency once (the proxy keeps
  // NCCL_STEPS sends in flight per connection).
  double slices_per_step = 1;
  // The share of the link's data rate the protocol's copy loop sustains beyond its wire format
  // (payload_fraction). NCCL's tuning model caps LL128 ring bandwidth per channel below Simple's
  // (src/graph/tuning.cc, perChMaxRingLL128Bw); LL128's value is fitted by
  // validation/fit_collective_launch.py on Vidur's 8x A100 rows, LL and Simple keep 1.
  double sustained_fraction = 1;
  // Data bytes per byte of link capacity the protocol moves.
  double rate_fraction() const { return payload_fraction * sustained_fraction; }
};

// Which of a protocol's hop latencies a step pays: that of the slowest kind of hop it crosses.
enum class HopClass : std::uint8_t { kNvLink, kPcie, kNetwork };
HopClass hop_class(LinkKind kind);
// The slowest kind of hop on a path (NVLink < PCIe < network).
HopClass slowest_hop(const Topology& topo, std::span<const LinkId> links);
Time hop_latency(const ProtocolCost& p, HopClass c);

struct CollectiveTuning {
  // Per collective call as a framework issues it (kernel launch, NCCL enqueue and proxy set-up,
  // stream synchronisation): 24 us, fitted with LL128's sustained share by
  // validation/fit_collective_launch.py to the four 8x A100 all-reduce medians of Vidur's NCCL
  // profile (8-64 MiB; minimax relative error, largest 6.5%).
  Time launch_overhead = Time::us(24);
  // LL, LL128, Simple in that order (index = protocol - 1).
  std::array<ProtocolCost, 3> protocols = {
      ProtocolCost{Time::ns(6600), Time::ns(600), Time::ns(1000), Time::ns(2700), 0.5},
      ProtocolCost{Time::ns(14000), Time::ns(1900), Time::ns(2500), Time::ns(4000), 120.0 / 128.0, 1, 0.70},
      ProtocolCost{Time::ns(8400), Time::ns(3400), Time::ns(5700), Time::ns(14000), 1.0, 2, 1}};
  CollectiveProtocol protocol = CollectiveProtocol::kAuto;  // kAuto: the fastest by the cost model
  // Pipelined algorithms (tree, broadcast chain, hierarchical phases) move the data in chunks of
  // about this size, at most this many: more chunks pipeline better but cost more flows.
  double pipeline_chunk_bytes = 4.0 * 1024 * 1024;
  int max_pipeline_chunks = 32;
  double nvls_efficiency = kDefaultNvlsEfficiency;
  std::uint32_t flow_label = 0;  // ECMP label of the collective's flows (like a fixed QP set)
  // Queue pairs each ring connection spreads over on an ECMP (Ethernet) fabric, each hashed on
  // its own (NCCL_IB_QPS_PER_CONNECTION; RoCE deployments set several for routing entropy).
  int ethernet_qps_per_connection = 4;
  // Whether (and which) InfiniBand switches reduce in the network: enables `collnet`.
  SharpGeneration sharp = SharpGeneration::kNone;

  const ProtocolCost& cost(CollectiveProtocol p) const { return protocols[static_cast<std::size_t>(p) - 1]; }
};

struct CollectiveRequest {
  CollectiveOp op = CollectiveOp::kAllReduce;
  std::vector<VertexId> group;  // ranks in order; ring neighbours are consecutive
  double bytes = 0;             // nccl-tests convention, see above
  CollectiveAlgorithm algorithm = CollectiveAlgorithm::kAuto;
  int root = 0;                 // broadcast: the rank that holds the data
};

struct CollectiveRecord {
  std::uint64_t id = 0;
  CollectiveOp op = CollectiveOp::kAllReduce;
  CollectiveAlgorithm algorithm = CollectiveAlgorithm::kRing;
  CollectiveProtocol protocol = CollectiveProtocol::kSimple;
  std::size_t ranks = 0;
  double bytes = 0;
  Time start;
  Time end;
  double seconds() const { return (end - start).seconds(); }
  double algbw_bytes_per_s() const { return bytes / seconds(); }
  double busbw_bytes_per_s() const { return algbw_bytes_per_s() * bus_bandwidth_factor(op, ranks); }
};

}  // namespace cs
