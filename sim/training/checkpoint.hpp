#pragma once
// Checkpointing of a training job: how often it saves its state, what a save costs, what a
// restart costs; and the textbook formulas the scheduler's behaviour is checked against.
#include "sim/engine/time.hpp"

namespace cs {

struct CheckpointSpec {
  // Working time between checkpoints (time spent computing, not counting the writes
  // themselves nor restarts); zero: the job never checkpoints and a failure loses everything
  // since its (re)start.
  Time interval;
  // The job pauses this long for each checkpoint (a synchronous save: the state must be
  // consistent across ranks). checkpoint_write_time() derives it from size and bandwidth.
  Time write_time;
  // Paid on every restart after a failure or preemption (rescheduling, process start, NCCL
  // init, reading the checkpoint back); not on the first start.
  Time restart_overhead;
};

// Time to write `checkpoint_bytes` over a storage path of `storage_bytes_per_s` (the slowest
// hop between the job's GPUs and the file system, all ranks writing together).
Time checkpoint_write_time(double checkpoint_bytes, double storage_bytes_per_s);

// Bytes of a full training checkpoint with mixed-precision Adam: bf16 weights (2) + fp32
// master weights (4) + two fp32 Adam moments (8) = 14 bytes per parameter (gradients are not
// saved).
double training_checkpoint_bytes(double parameters);

// Young's first-order optimum interval sqrt(2 · MTBF · write) (J. W. Young, "A first order
// approximation to the optimum checkpoint interval", CACM 1974; Daly 2006 refines it with
// higher-order terms that matter only when write is not << MTBF). `job_mtbf` is the mean
// time between failures that hit this job (cluster MTBF per GPU / GPUs of the job).
Time young_daly_interval(Time job_mtbf, Time write_time);

// Expected working time lost per failure when failures hit the job as a Poisson process of
// mean interval `job_mtbf` and the job checkpoints every `interval` of work with zero write
// time: the failure falls at an exponential time into the current interval, truncated to
// the interval, whose mean is 1/λ − T/(e^{λT} − 1) (→ T/2 when λT → 0, → 1/λ when T → ∞).
// With interval zero (no checkpoints) it is the job's whole progress, here 1/λ (the job is
// assumed long). Seconds.
double expected_lost_work_per_failure_s(Time interval, Time job_mtbf);

}  // namespace cs
