#pragma once
// A job as the cluster scheduler sees it (ClusterJobSpec: what it asks for and how much work
// it carries) and as it reports it (ClusterJobRecord: one row of /jobs). Plain data.
//
// Named Cluster* because sim/queueing already has a JobRecord for its G/G/c queue.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sim/engine/time.hpp"
#include "sim/training/checkpoint.hpp"
#include "sim/training/training_job_spec.hpp"

namespace cs {

struct ClusterJobSpec {
  std::string name;
  Time submit;   // informational: submit() takes the engine's clock
  int gpus = 1;  // 0: a CPU-only pod, started at once, never queued (it competes for no GPU)
  // Share of one GPU in thousandths: 1000 whole GPUs; less only with gpus == 1 (a GPU-sharing
  // pod, bin-packed on partially used GPUs).
  int gpu_milli = 1000;
  int priority = 0;          // larger runs first under the priority policy
  bool preemptible = false;  // may be evicted by higher priority jobs and by borrow_gpus()
  // All GPUs on one node (a Kubernetes pod); otherwise the gang may span nodes.
  bool single_node = false;
  // Exactly one of duration / training, or neither: a job that runs until the horizon (a
  // service pod never deleted in its trace).
  std::optional<Time> duration;  // fixed work: the run time if never interrupted
  // Iterations timed by the JobSpeedModel; training->parallel.gpus() must equal gpus.
  std::optional<TrainingJobSpec> training;
  CheckpointSpec checkpoint;
  std::string gpu_type;  // empty: any GPU model
};

enum class ClusterJobStatus : std::uint8_t {
  kWaiting,    // queued (at the horizon: never started, or waiting to restart)
  kRunning,    // holding GPUs (at the horizon: unfinished)
  kFinished,   // did all its work
  kNeverFits,  // asks for more than the cluster can ever give (GPUs, node size, GPU type): rejected at submit
};

std::string_view to_string(ClusterJobStatus s);

// Everything one /jobs row needs. Times in seconds are durations; instants are Time.
struct ClusterJobRecord {
  std::uint64_t id = 0;  // 1, 2, ... in submission order
  std::string name;
  Time submit;
  std::optional<Time> first_start;
  std::optional<Time> end;  // finished (or rejected) at; none while waiting or running
  int gpus = 0;
  int gpu_milli = 1000;
  int priority = 0;
  ClusterJobStatus status = ClusterJobStatus::kWaiting;
  int restarts = 0;  // starts after the first (each failure or preemption that re-queued it)
  int preemptions = 0;
  int failures = 0;             // node/GPU failures that interrupted it
  double lost_work_s = 0;       // working time thrown away (work since the last checkpoint)
  double useful_work_s = 0;     // working time that counts (checkpointed, finished, or in progress at the horizon)
  double checkpoint_s = 0;      // time paused writing checkpoints (including interrupted writes)
  double restart_s = 0;         // restart overhead paid
  double held_s = 0;            // time holding GPUs: useful + lost + checkpoint + restart
  double queue_s = 0;           // time waiting in the queue, over all its waits
  double iterations_done = 0;   // model jobs: iterations whose work counts
  double mean_iteration_s = 0;  // model jobs: working time / iterations executed (lost ones too)
  double mfu = 0;               // left 0 here: the integrator fills it from the iteration breakdown
  int nodes_used = 0;           // of its current (or last) placement
  int leaves_used = 0;

  // Useful working time / time holding GPUs (1 for a job never interrupted and never saving).
  double goodput() const { return held_s > 0 ? useful_work_s / held_s : 0.0; }
};

}  // namespace cs
