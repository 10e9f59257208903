#pragma once
// YAML -> the training side of a scenario (docs/SCENARIOS.md, `cluster:`, `training:`, `jobs:`):
//
//   cluster:
//     nodes: 750                 # without `topology:`: a plain inventory of identical nodes
//     gpus_per_node: 8
//     nodes_per_leaf: 16
//     gpu: a100-80gb-sxm         # the cluster's GPU (catalog name); jobs must ask for it
//     price: $1.20/h             # per GPU-hour, the whole cluster for the whole run
//     scheduler: {policy: fifo | easy_backfill | priority, placement: topology_aware | random}
//     serving_priority: 1000000000   # co-location: serving preempts preemptible jobs below this
//     failures: {enabled: true, gpu_mtbf: 50677 h, node_mtbf: 0 h, repair_time: 4 h, spare_nodes: 0}
//     checkpoint: {interval: 30 min, write_time: 30 s | storage_bandwidth: 100 GB/s, restart: 10 min}
//   training:                    # one job (a map) or several (a list)
//     - name: gpt3
//       model: gpt-3-175b        # model catalog, plus the scenario's own `models:`
//       gpu: a100-80gb-sxm       # GPU catalog, plus the scenario's own `gpus:`
//       global_batch: 1536       # sequences per optimizer step
//       sequence_length: 2048
//       tokens: 300B
//       tp: 8
//       pp: 8
//       dp: 16
//       micro_batch: 1
//       virtual_stages: 1
//       zero_stage: 1
//       recompute: false
//       flash_attention: true
//       gradient_dtype: fp32     # the gradient buffer the DP reduction moves
//       vocab: 51200             # optional: the padded vocabulary (overrides the model's)
//       overlap_dp: true
//       priority: 0
//       preemptible: false
//       submit: 0 s
//       checkpoint: {...}        # as cluster.checkpoint, overriding it
//       price: $1.80/h           # per GPU-hour of this job (default: cluster.price)
//   jobs: {format: alibaba_pods | csv, path: ...} or a list (workload_loader.hpp)
//
// With `topology:` the inventory is the topology's nodes (each node's leaf is its first NIC's
// switch); `nodes`, `gpus_per_node` and `nodes_per_leaf` are then not allowed.
#include <optional>
#include <string>
#include <vector>

#include "sim/cost/billing_spec.hpp"
#include "sim/engine/spec_problem.hpp"
#include "sim/cost/price_catalog.hpp"
#include "sim/hardware/gpu_catalog.hpp"
#include "sim/llm/model_catalog.hpp"
#include "sim/scenario/config_reader.hpp"
#include "sim/training/cluster_job.hpp"
#include "sim/training/cluster_scheduler.hpp"
#include "sim/training/failure_model.hpp"
#include "workloads/job_workload.hpp"

namespace cs {

struct TrainingClusterSpec {
  // The inventory: the scenario's topology when it has one, else `nodes` uniform nodes.
  bool from_topology = false;
  int nodes = 0;
  int gpus_per_node = 8;
  int nodes_per_leaf = 16;
  std::string gpu_type;  // catalog key of the cluster's GPU; empty: not said
  double usd_per_gpu_hour = 0;
  // With `gpu:`: the GPU, and its billing and power beyond the boards (host, network, PUE)
  // from the price catalog, for the cluster's power and energy.
  std::optional<GpuSpec> gpu;
  BillingSpec billing;
  // Spot (`option: spot`): each node is reclaimed at this rate per second held (the catalog's
  // per-instance rate x the instances a node spans) and replaced after `spot_replacement`;
  // 0: not spot.
  double spot_reclaims_per_node_s = 0;
  Time spot_replacement = Time::s(600);
  ClusterSchedulerSpec scheduler;
  // Co-location: serving borrows GPUs at this priority (it preempts preemptible jobs below it).
  int serving_priority = 1'000'000'000;
  bool failures_enabled = false;
  FailureSpec failures;
  CheckpointSpec checkpoint;  // for trace jobs, and the default of model jobs
  // Model-driven jobs from `training:`, in submit order, and their price per GPU-hour.
  std::vector<ClusterJobSpec> jobs;
  std::vector<double> job_usd_per_gpu_hour;
  std::optional<JobWorkloadSpec> trace;  // `jobs:`

  int gpus() const { return nodes * gpus_per_node; }
};

// The cluster as a whole, keys as under `cluster:`: spares that leave nodes in service, a spot
// replacement time (its parts, failures, scheduler and checkpoint, are checked as they are read:
// sim/training/training_spec_checks.hpp).
SpecProblems validate(const TrainingClusterSpec& cluster);

// `root` is the scenario's top level: reads `cluster:`, `training:` and `jobs:` (whichever are
// there; at least one of `training:`/`jobs:`). `gpus`/`models` resolve names; `topology_nodes`
// and `topology_gpus_per_node` describe the scenario's topology when it has one.
TrainingClusterSpec read_training_cluster(MapReader& root, const GpuCatalog& gpus, const ModelCatalog& models,
                                          std::optional<int> topology_nodes, int topology_gpus_per_node,
                                          const PriceCatalog* prices = nullptr);

}  // namespace cs
