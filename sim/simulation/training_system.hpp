#pragma once
// Wires a training cluster: the inventory (from the scenario's topology, or uniform nodes), the
// cluster scheduler with the job speed model and its accounting, the failure injector, and the
// jobs — the scenario's model-driven `training:` jobs and the `jobs:` list or trace, each pulled
// one job at a time with one event per submission, so memory does not grow with the trace. In
// co-location it lends GPUs to serving pools (lender(pool)).
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "sim/cost/spot_interruptions.hpp"
#include "sim/engine/engine.hpp"
#include "sim/engine/signal.hpp"
#include "sim/network/fabric.hpp"
#include "sim/scenario/training_loader.hpp"
#include "sim/simulation/serving_system.hpp"
#include "sim/training/cluster_accounting.hpp"
#include "sim/training/cluster_inventory.hpp"
#include "sim/training/cluster_scheduler.hpp"
#include "sim/training/failure_model.hpp"
#include "sim/training/network_speed_model.hpp"
#include "topology/topology_graph.hpp"
#include "workloads/job_workload.hpp"

namespace cs {

class TrainingSystem {
 public:
  // `fabric`: the run's one network when the scenario has a topology. A cluster built from
  // the topology takes its inventory from it, and running jobs' DP traffic is carried on its
  // flow network beside everything else there; a cluster of uniform nodes has no network.
  TrainingSystem(Engine& engine, const TrainingClusterSpec& spec, Fabric* fabric);
  ~TrainingSystem();
  TrainingSystem(const TrainingSystem&) = delete;
  TrainingSystem& operator=(const TrainingSystem&) = delete;

  // Emitted as each job is submitted: its id, its model (null for fixed work), its price.
  Signal<std::uint64_t, const TrainingJobSpec*, double> on_job_submitted;

  // Starts failures and the submissions; jobs submitted after `horizon` are not read.
  void start(Time horizon);
  // End of the run: every unfinished job is reported.
  void finish();

  ClusterScheduler& scheduler() { return *scheduler_; }
  // The scheduler's GPU-seconds and run totals, listening from its construction.
  const ClusterAccounting& accounting() const { return *accounting_; }
  const TrainingClusterSpec& spec() const { return spec_; }
  // The scenario's model jobs, in submission order.
  std::vector<const TrainingJobSpec*> model_jobs() const;
  const JobSource* trace() const { return trace_.get(); }
  const Topology* topology() const { return fabric_ ? &fabric_->topology() : nullptr; }
  // Spot nodes reclaimed so far (each also counts as a node failure of the scheduler).
  std::uint64_t spot_reclaims() const { return spot_ ? spot_->interruptions() : 0; }
  // The speed model of model jobs (null without a topology).
  NetworkSpeedModel* network_speed() { return network_speed_; }
  // For ServingSystem::set_gpu_lender of serving pool `pool` (any number of pools: loans are
  // kept by pool and replica): each replica borrows its GPUs from the scheduler at
  // spec().serving_priority (in TP groups within nodes where it can) and returns them when it
  // stops; the answer is the lent GPUs as vertices of the fabric's topology (the inventory's
  // vertex_of); a node failure under a loan revokes it (the replica drains). In the ledger
  // the lent GPUs are the replica's: kServing, id replica_holder_id(pool, replica).
  ServingSystem::GpuLender lender(std::size_t pool = 0);
  static std::uint64_t replica_holder_id(std::size_t pool, std::uint32_t replica) {
    return static_cast<std::uint64_t>(pool) << 32 | replica;
  }
  // Who holds each of the cluster's GPUs (by the inventory's global index): the run's one ledger.
  const GpuLedger& ledger() const { return inventory_->ledger(); }

 private:
  void schedule_next_model_job();
  void schedule_next_trace_job();
  void submit_trace_job();
  bool reclaim_spot_node(int node);

  Engine& engine_;
  TrainingClusterSpec spec_;
  Fabric* fabric_ = nullptr;
  std::unique_ptr<ClusterInventory> inventory_;
  std::unique_ptr<JobSpeedModel> speed_;
  NetworkSpeedModel* network_speed_ = nullptr;  // speed_, typed
  std::unique_ptr<ClusterScheduler> scheduler_;
  std::unique_ptr<ClusterAccounting> accounting_;
  std::unique_ptr<FailureInjector> failures_;
  std::unique_ptr<SpotInterruptions> spot_;
  std::unique_ptr<JobSource> trace_;
  std::optional<JobTraceRecord> next_trace_;
  std::size_t next_model_job_ = 0;
  // (pool << 32 | replica) -> loan id, for every pool's replicas.
  std::unordered_map<std::uint64_t, std::uint64_t> loans_;
  // By pool: replicas whose loan the cluster ended (stable addresses: pools keep pointers).
  std::vector<std::unique_ptr<Signal<std::uint32_t>>> revoked_;
  Time horizon_;
};

}  // namespace cs
