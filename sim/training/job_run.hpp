#pragma once
// The phases of one cluster job, and when each transition falls due. No engine, GPUs or
// queue: the scheduler passes the current instant in, schedules the event next_event() asks
// for, and acts on what each transition returns, so the machine is testable on its own.
//
//   queued ──start──▶ restarting ──(restart overhead)──▶ working ──(checkpoint interval of
//   working time)──▶ checkpointing ──(write time)──▶ working ── … ──(work done)──▶ done
//
// A first start goes straight to working; a start after an interruption pays the restart
// overhead first. interrupt() (a node failure or a preemption) in any running phase returns
// to queued and loses the working time since the last completed checkpoint (an unfinished
// write included): the remaining work goes back to what the checkpoint saved. A checkpoint
// due at the very end is not taken (finishing saves the result anyway); with a zero write
// time the checkpoint is instant. Fixed work counts down in exact integer time; a model
// job's iterations count down in doubles at the iteration time set by set_iteration_time().
#include <cstdint>
#include <optional>

#include "sim/engine/time.hpp"
#include "sim/training/checkpoint.hpp"
#include "sim/training/cluster_job.hpp"

namespace cs {

// The instant `delay` after `now`; none when it lies beyond the clock's range (±292 years):
// an event that never comes, rather than one clamped to the end of time.
std::optional<Time> instant_after(Time now, Time delay);

enum class RunPhase : std::uint8_t { kQueued, kRestarting, kWorking, kCheckpointing, kDone };

// Time spent in one phase since the previous report, and the iterations it executed.
struct PhaseStretch {
  RunPhase phase = RunPhase::kQueued;
  Time duration;
  double iterations = 0;  // model jobs while working (some may be lost later)
};

class JobRun {
 public:
  // Queued, with all its work ahead. Throws std::invalid_argument when the spec carries both
  // a duration and a training model.
  explicit JobRun(const ClusterJobSpec& spec);

  // queued → restarting (after an interruption, when the restart costs time) or working.
  // A model job is untimed (iteration_s() == 0) until set_iteration_time().
  void start(Time now);
  // Moves the progress to `now` within the current phase and reports the stretch.
  PhaseStretch advance(Time now);
  // The instant of the next transition; none when nothing is timed (an open-ended job, or a
  // model job not timed yet).
  std::optional<Time> next_event(Time now);
  // At the instant next_event() gave: the stretch up to it and what the transition did.
  struct Step {
    PhaseStretch stretch;
    bool saved = false;     // a checkpoint completed (or the job finished): the working time
    Time saved_work;        // since the previous one now counts
    bool finished = false;  // the job is done
  };
  Step on_event(Time now);
  // Any running phase → queued: the stretch up to now and the working time lost.
  struct Interruption {
    PhaseStretch stretch;
    Time lost_work;
  };
  Interruption interrupt(Time now);
  // A model job's iteration time changed (a new placement, or other jobs on its links): the
  // progress so far at the old time, then the new one.
  PhaseStretch set_iteration_time(Time now, double iteration_s);

  // Time still needed if never interrupted: an open restart or checkpoint write, the restart
  // a queued job owes, and the remaining work at the current speed; none when unknown.
  std::optional<Time> expected_run_time(Time now) const;
  // Working time that an interruption now would lose.
  Time unsaved_work(Time now) const;

  RunPhase phase() const { return phase_; }
  bool running() const { return phase_ != RunPhase::kQueued && phase_ != RunPhase::kDone; }
  double iteration_s() const { return iteration_s_; }
  double iterations_done() const { return total_iterations_ - remaining_iterations_; }
  // Working time since the last completed checkpoint, up to the last advance().
  Time worked_since_checkpoint() const { return worked_since_checkpoint_; }

 private:
  void save();

  bool model_;
  bool fixed_work_;
  CheckpointSpec checkpoint_;
  RunPhase phase_ = RunPhase::kQueued;
  Time phase_start_;
  std::optional<Time> phase_end_;  // restarting, checkpointing; none: beyond the clock, never
  Time remaining_work_;
  Time checkpointed_remaining_work_;
  double total_iterations_ = 0;
  double remaining_iterations_ = 0;
  double checkpointed_remaining_iterations_ = 0;
  double iteration_s_ = 0;
  Time worked_since_checkpoint_;
  bool owes_restart_ = false;
  bool planned_finish_ = false;
};

}  // namespace cs
