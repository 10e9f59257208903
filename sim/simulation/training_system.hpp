#pragma once
// Wires a training cluster: the inventory (from the scenario's topology, or uniform nodes), the
// cluster scheduler with the job speed model, the failure injector, and the jobs — the
// scenario's model-driven `training:` jobs and the `jobs:` list or trace, each pulled one job
// at a time with one event per submission, so memory does not grow with the trace. In
// co-location it lends GPUs to a serving pool (lender()).
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "sim/cost/spot_interruptions.hpp"
#include "sim/engine/engine.hpp"
#include "sim/engine/signal.hpp"
#include "sim/network/network_spec.hpp"
#include "sim/scenario/training_loader.hpp"
#include "sim/simulation/serving_system.hpp"
#include "sim/training/cluster_inventory.hpp"
#include "sim/training/cluster_scheduler.hpp"
#include "sim/training/failure_model.hpp"
#include "sim/training/network_speed_model.hpp"
#include "topology/topology_graph.hpp"
#include "workloads/job_workload.hpp"

namespace cs {

class TrainingSystem {
 public:
  // `topology`: the scenario's interconnect when it has one (the inventory and the speed
  // model's links come from it), else null (uniform nodes, no network).
  TrainingSystem(Engine& engine, const TrainingClusterSpec& spec, const TopologySpec* topology);
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
  const TrainingClusterSpec& spec() const { return spec_; }
  // The scenario's model jobs, in submission order.
  std::vector<const TrainingJobSpec*> model_jobs() const;
  const JobSource* trace() const { return trace_.get(); }
  const Topology* topology() const { return topology_.get(); }
  // Spot nodes reclaimed so far (each also counts as a node failure of the scheduler).
  std::uint64_t spot_reclaims() const { return spot_ ? spot_->interruptions() : 0; }
  // The speed model of model jobs (null without a topology).
  NetworkSpeedModel* network_speed() { return network_speed_; }
  // For ServingSystem::set_gpu_lender: each replica borrows its GPUs from the scheduler at
  // spec().serving_priority (in TP groups within nodes where it can) and returns them when it
  // stops; the answer is the lent GPUs as topology vertices (the inventory's vertex_of; this
  // topology is built from the same spec as the serving network's, so vertex ids agree); a
  // node failure under a loan revokes it (the replica drains).
  ServingSystem::GpuLender lender();

 private:
  void schedule_next_model_job();
  void schedule_next_trace_job();
  void submit_trace_job();
  bool reclaim_spot_node(int node);

  Engine& engine_;
  TrainingClusterSpec spec_;
  std::unique_ptr<Topology> topology_;
  std::unique_ptr<ClusterInventory> inventory_;
  std::unique_ptr<JobSpeedModel> speed_;
  NetworkSpeedModel* network_speed_ = nullptr;  // speed_, typed
  std::unique_ptr<ClusterScheduler> scheduler_;
  std::unique_ptr<FailureInjector> failures_;
  std::unique_ptr<SpotInterruptions> spot_;
  std::unique_ptr<JobSource> trace_;
  std::optional<JobTraceRecord> next_trace_;
  std::size_t next_model_job_ = 0;
  std::unordered_map<std::uint32_t, std::uint64_t> loans_;  // serving replica -> loan id
  Signal<std::uint32_t> revoked_;                           // replicas whose loan the cluster ended
  Time horizon_;
};

}  // namespace cs
