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
#include <optional>
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
  kTree,          // all_reduce: NCCL-style double binary tree, pipelined in chunks
  kHierarchical,  // all_reduce: reduce-scatter in each node, all-reduce across nodes per local
                  // GPU index (one rail each), all-gather in each node
  kNvls,          // in-switch reduction / multicast on an NVLink SHARP NVSwitch (one node)
  kDirect,        // all_to_all: every pair at once; send_recv: one flow
  kPipeline,      // broadcast: a chain from the root, pipelined in chunks
};

std::string_view to_string(CollectiveOp op);
std::string_view to_string(CollectiveAlgorithm a);
std::optional<CollectiveOp> collective_op_from_string(std::string_view s);
std::optional<CollectiveAlgorithm> collective_algorithm_from_string(std::string_view s);

// busbw / algbw for an operation on n ranks (nccl-tests).
double bus_bandwidth_factor(CollectiveOp op, std::size_t ranks);

struct CollectiveTuning {
  // Per collective: kernel launch and set-up. Per step: the flag handshake between neighbours
  // before a chunk moves. Both are of the order of NCCL's own tuning model (its base latencies
  // are several microseconds, its per-hop latencies a fraction of one to a few).
  Time launch_overhead = Time::us(5);
  Time step_overhead = Time::ns(500);
  // Pipelined algorithms (tree, broadcast chain) move the data in chunks of about this size,
  // at most this many: more chunks pipeline better but cost more flows.
  double pipeline_chunk_bytes = 4.0 * 1024 * 1024;
  int max_pipeline_chunks = 32;
  double nvls_efficiency = kDefaultNvlsEfficiency;
  std::uint32_t flow_label = 0;  // ECMP label of the collective's flows (like a fixed QP set)
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
  std::size_t ranks = 0;
  double bytes = 0;
  Time start;
  Time end;
  double seconds() const { return (end - start).seconds(); }
  double algbw_bytes_per_s() const { return bytes / seconds(); }
  double busbw_bytes_per_s() const { return algbw_bytes_per_s() * bus_bandwidth_factor(op, ranks); }
};

}  // namespace cs
