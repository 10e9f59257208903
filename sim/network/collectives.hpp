#pragma once
// Collectives executed step by step as flows on the FlowNetwork. Each algorithm is a small
// state machine per rank that starts a flow as soon as its data dependency is met (a ring rank
// forwards step k+1 once it has received step k and finished sending step k), so contention,
// stragglers and uneven links show up as they would in NCCL's pipelined kernels, without a
// global barrier per step.
//
//   ring          all_reduce (reduce-scatter + all-gather, 2(n-1) steps of S/n),
//                 all_gather and reduce_scatter (n-1 steps of S/n); across nodes one channel
//                 per rank of a node (one per NIC, rail-aligned: ring_channels.hpp), each
//                 moving S/C. Every step of a ring waits for the slowest edge, so a channel's
//                 edges advance in lockstep: each channel is one flow class (flow_network.hpp)
//                 carrying all its steps, delivered steps x (route + protocol hop latency) late
//   tree          all_reduce on a double binary tree: each tree reduces half the data up to its
//                 root and broadcasts it back down, pipelined in chunks; across nodes NCCL's
//                 tree (tree_channels.hpp): the trees over the nodes, a chain in each node below
//                 its head, one tree pair per NIC, each edge one flow class over all channels
//   nvls          all_reduce / reduce_scatter / all_gather on an NVSwitch with NVLink SHARP: each
//                 GPU sends its data to the switch, which reduces and multicasts; per GPU and
//                 direction that is S(n+1)/n for all_reduce (modelled as one up and one down flow
//                 per GPU, capped at the NVLS efficiency of the link)
//   hierarchical  all_reduce: reduce-scatter inside every node, all-reduce of S/k between the
//                 GPUs with the same local index (one rail each, all rails at once), all-gather
//                 inside every node; pipelined in chunks as NCCL pipelines them: chunk j enters
//                 a phase once chunk j-1 left it and chunk j finished the phase before
//   collnet       all_reduce as hierarchical, with the middle phase reduced by the InfiniBand
//                 switches (SHARP, sharp_tree.hpp): each rank sends S/k once up its tree and
//                 receives it once down; with one rank per node, that phase alone on S
//   nvls_tree     all_reduce as hierarchical, NVLS in the node and the tree across nodes, which
//                 holds 2 x depth chunks at once (NCCL pipelines chunks up and down its tree)
// Every algorithm runs with a protocol (LL, LL128, Simple: collective_types.hpp): its wire bytes
// are the payload / the protocol's payload fraction, each step waits the protocol's hop latency
// for the slowest kind of hop it crosses, and the collective starts after the launch overhead
// and the protocol's base latency.
//   direct        all_to_all (every pair at once, S/n each) and send_recv (one flow)
//   pipeline      broadcast along a chain from the root, pipelined in chunks
#include <cstdint>
#include <memory>
#include <vector>

#include "sim/engine/signal.hpp"
#include "sim/engine/slot_pool.hpp"
#include "sim/network/collective_cost.hpp"
#include "sim/network/collective_types.hpp"
#include "sim/network/flow_network.hpp"

namespace cs {

class Collectives;

// One running algorithm instance; finishes by calling its `done`.
class CollectiveTask {
 public:
  CollectiveTask(Collectives& owner, std::vector<VertexId> group, double bytes, Callback done)
      : owner_(owner), group_(std::move(group)), bytes_(bytes), done_(std::move(done)) {}
  void set_protocol(CollectiveProtocol p) { protocol_ = p; }
  virtual ~CollectiveTask() = default;
  CollectiveTask(const CollectiveTask&) = delete;
  CollectiveTask& operator=(const CollectiveTask&) = delete;
  virtual void start() = 0;

 protected:
  // Must be the task's last action: `done` may release the task.
  void finish() {
    Callback d = std::move(done_);
    if (d) d();
  }
  // The protocol's step latency on a route, and the bytes on the wire for `payload`.
  Time hop(RouteId route) const;
  double wire(double payload) const;
  const ProtocolCost& protocol_cost() const;

  Collectives& owner_;
  CollectiveProtocol protocol_ = CollectiveProtocol::kSimple;
  std::vector<VertexId> group_;
  double bytes_;
  Callback done_;
};

class Collectives {
 public:
  explicit Collectives(FlowNetwork& network, CollectiveTuning tuning = {});
  ~Collectives();
  Collectives(const Collectives&) = delete;
  Collectives& operator=(const Collectives&) = delete;

  // Starts a collective now; it moves data after the launch overhead. `done` runs at its end,
  // after on_complete. Throws std::invalid_argument for an algorithm that cannot run it.
  std::uint64_t start(const CollectiveRequest& request, Callback done = {});
  // The algorithm start() would run: the request's, or the cost model's best for kAuto.
  CollectiveAlgorithm resolve(const CollectiveRequest& request);
  // The protocol it would run with: the tuning's, or the cost model's best for the size.
  CollectiveProtocol resolve_protocol(const CollectiveRequest& request, CollectiveAlgorithm algorithm);

  // Every finished top-level collective, in completion order.
  Signal<const CollectiveRecord&> on_complete;

  std::size_t running() const { return running_; }
  FlowNetwork& network() { return network_; }
  const CollectiveTuning& tuning() const { return tuning_; }
  CollectiveCostModel& cost_model() { return cost_; }

  // Builds (does not start) the task of a resolved algorithm; used for composite algorithms.
  std::unique_ptr<CollectiveTask> make_task(CollectiveOp op, CollectiveAlgorithm algorithm, std::vector<VertexId> group,
                                            double bytes, Callback done, CollectiveProtocol protocol, int root = 0);

 private:
  struct Running {
    std::unique_ptr<CollectiveTask> task;
    CollectiveRecord record;
    Callback done;
  };
  void finished(std::uint32_t slot);
  std::unique_ptr<CollectiveTask> make_algorithm_task(CollectiveOp op, CollectiveAlgorithm algorithm,
                                                      std::vector<VertexId> group, double bytes, Callback done,
                                                      int root);

  FlowNetwork& network_;
  CollectiveTuning tuning_;
  CollectiveCostModel cost_;
  SlotPool<Running> slots_;
  std::size_t running_ = 0;
  std::uint64_t next_id_ = 1;
};

}  // namespace cs
