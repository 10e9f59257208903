#pragma once
// Where a serving pool's replicas sit on the scenario's topology, and what their own
// communication costs there. The GPUs are cut into replica slots: tensor-parallel groups of
// `tp` consecutive GPUs of one node when a node has that many (a group never straddles two
// nodes then), else `tp` consecutive GPUs in topology order across nodes; a replica is `pp`
// consecutive groups, one per pipeline stage — with expert parallelism pp·ep groups, the ep
// attention groups of each stage side by side (stage s, group e: positions (s·ep + e)·tp ..).
// Its MoE all-to-all is priced over the first stage's groups' TP rank 0. Each slot prices its TP all-reduce (mean over
// its stages' groups) and its PP hand-off (rank 0 of one stage to rank 0 of the next, mean
// over the stage boundaries) with the network's CollectiveCostModel, cached by payload size:
// a decode step's all-reduce sizes repeat. The cached costs are those of the network when
// first asked (idle unless collective jobs run beside the pool); a slot inside one node adds
// no flows, one that spans nodes is priced by contended_cost(). Slots whose costs agree share
// one iteration cost model.
//
// Several pools on one topology share one GpuLedger of its GPUs (by their position in
// topology.gpus()): each pool cuts its own slots (its tp and pp), and takes the lowest slot
// whose GPUs are all free in the ledger, holding them as a serving replica (id: the slot's
// first GPU vertex + 1), so two pools never hold the same GPU and pools of different TP sizes
// coexist on one free set. In co-location the cluster scheduler picks the GPUs instead (in
// its own ledger, the run's one: place_by_lender), and cost_for_gpus() prices a replica on
// the GPUs it was lent.
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "sim/network/collective_cost.hpp"
#include "sim/serving/llm_iteration_cost.hpp"
#include "sim/serving/serving_pool_spec.hpp"
#include "sim/training/gpu_ledger.hpp"
#include "topology/topology_graph.hpp"

namespace cs {

class ReplicaPlacement {
 public:
  // Throws std::invalid_argument when the topology cannot hold one replica. `shared`: the
  // ledger of the topology's GPUs every pool on it uses (null: this pool alone, with its own).
  ReplicaPlacement(const ServingPoolSpec& pool, const Topology& topology, CollectiveCostModel& collectives,
                   GpuLedger* shared = nullptr);
  ReplicaPlacement(const ReplicaPlacement&) = delete;
  ReplicaPlacement& operator=(const ReplicaPlacement&) = delete;

  int slots() const { return static_cast<int>(slots_.size()); }
  // The slot's GPUs, stage by stage (stage s: positions s·ep·tp .. (s + 1)·ep·tp − 1).
  const std::vector<VertexId>& gpus_of(int slot) const { return slots_.at(static_cast<std::size_t>(slot))->gpus; }
  // The lowest slot whose GPUs are all free in the registry, now taken; -1 when none is.
  int acquire();
  void release(int slot);
  // Co-location: from now on a lender picks every replica's GPUs (the training cluster's
  // ledger records them); the placement only prices them, lets go of its ledger, and
  // acquire() throws std::logic_error. Call before any slot is taken.
  void place_by_lender();
  int in_use() const { return in_use_; }

  // The iteration cost model of a replica in `slot`.
  std::shared_ptr<const LlmIterationCost> cost_for(int slot);
  // The iteration cost model of a replica on exactly these GPUs (tp·pp·ep of them, stage by
  // stage as in gpus_of), wherever they are; cached by the GPU list itself.
  std::shared_ptr<const LlmIterationCost> cost_for_gpus(std::span<const VertexId> gpus);
  // A replica on these GPUs whose traffic is carried on the flow network (replica_traffic.hpp):
  // its own model, every collective priced on `idle` (the topology with no traffic: the
  // replica's own traffic is in that price, others' would count twice) times `slowdown()`
  // read when priced, which carries what the others take; a streaming replica's layer copies
  // priced by `host_copy_s` (host_stream.hpp; empty: the plan's rate).
  std::shared_ptr<const LlmIterationCost> contended_cost(std::span<const VertexId> gpus, CollectiveCostModel& idle,
                                                         std::function<double()> slowdown,
                                                         std::function<double(double)> host_copy_s = {});
  // One TP all-reduce / one PP hand-off of `bytes` per GPU for a replica in `slot`, seconds.
  double tp_all_reduce_s(int slot, double bytes);
  double pp_send_s(int slot, double bytes);

 private:
  struct Slot {
    std::vector<VertexId> gpus;
    CollectiveCostModel* collectives = nullptr;
    int tp = 1, pp = 1, ep = 1;
    std::unordered_map<double, double> tp_cache, pp_cache, ep_cache;
    double tp_all_reduce_s(double bytes);
    double pp_send_s(double bytes);
    double ep_all_to_all_s(double bytes);
  };

  std::shared_ptr<const LlmIterationCost> cost_of(const std::shared_ptr<Slot>& slot);
  std::shared_ptr<Slot> slot_on(std::span<const VertexId> gpus, CollectiveCostModel& collectives);

  ServingPoolSpec pool_;
  CollectiveCostModel& collectives_;
  bool all_free(std::span<const VertexId> gpus) const;

  std::unique_ptr<GpuLedger> own_ledger_;
  GpuLedger* ledger_;  // null once a lender places the replicas
  std::vector<std::size_t> ledger_index_;  // by vertex id: the GPU's position in topology.gpus()
  std::vector<std::shared_ptr<Slot>> slots_;
  std::vector<bool> taken_;
  int in_use_ = 0;
  std::vector<std::shared_ptr<const LlmIterationCost>> cost_by_slot_;
  std::map<std::vector<double>, std::shared_ptr<const LlmIterationCost>> cost_by_signature_;
  std::map<std::vector<VertexId>, std::shared_ptr<const LlmIterationCost>> cost_by_gpus_;
};

}  // namespace cs
