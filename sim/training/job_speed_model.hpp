#pragma once
// How fast running training jobs go, as the cluster scheduler asks it: whenever the set of
// running model-driven jobs (or where they sit) changes, the scheduler hands over all of them
// at once, so that jobs sharing links (two jobs on one oversubscribed spine) are timed
// together, and re-times each job's remaining iterations with the answer.
#include <cstdint>
#include <span>
#include <vector>

#include "sim/training/training_job_spec.hpp"
#include "topology/topology_graph.hpp"

namespace cs {

// One iteration (optimizer step) of a job, in seconds, by where the time goes. The parts add
// up to the iteration time: communication counts only where compute does not hide it.
struct IterationBreakdown {
  double compute_s = 0;          // forward + backward (+ recompute) of the micro-batches on one stage
  double bubble_s = 0;           // pipeline fill and drain idle time
  double tp_comm_s = 0;          // tensor-parallel collectives (not overlapped)
  double pp_comm_s = 0;          // stage-to-stage activation and gradient transfers, exposed part
  double dp_comm_exposed_s = 0;  // gradient reduction not hidden behind the backward pass
  double optimizer_s = 0;        // optimizer step (memory-bound)

  double total_s() const { return compute_s + bubble_s + tp_comm_s + pp_comm_s + dp_comm_exposed_s + optimizer_s; }
};

// A running job, its GPUs in rank order: rank r = ((dp_index x pp) + stage) x tp + tp_index,
// so each consecutive run of tp GPUs is one TP group (inside a node) and stages follow.
struct RunningTrainingJob {
  std::uint64_t job_id = 0;
  const TrainingJobSpec* spec = nullptr;
  std::span<const VertexId> gpus;
};

class JobSpeedModel {
 public:
  virtual ~JobSpeedModel() = default;
  // One breakdown per job, in the order given; jobs are timed as running together.
  virtual std::vector<IterationBreakdown> iterations(std::span<const RunningTrainingJob> running) = 0;
};

}  // namespace cs
