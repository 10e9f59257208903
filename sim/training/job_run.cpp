#include "sim/training/job_run.hpp"

#include <algorithm>
#include <stdexcept>

namespace cs {

std::optional<Time> instant_after(Time now, Time delay) {
  std::int64_t at = 0;
  if (__builtin_add_overflow(now.count_ns(), delay.count_ns(), &at)) return std::nullopt;
  return Time::ns(at);
}

JobRun::JobRun(const ClusterJobSpec& spec)
    : model_(spec.training.has_value()), fixed_work_(spec.duration.has_value()), checkpoint_(spec.checkpoint) {
  if (model_ && fixed_work_) throw std::invalid_argument("cluster job '" + spec.name + "': both a duration and a training model");
  if (fixed_work_) remaining_work_ = checkpointed_remaining_work_ = *spec.duration;
  if (model_) total_iterations_ = remaining_iterations_ = checkpointed_remaining_iterations_ = spec.training->iterations();
}

void JobRun::start(Time now) {
  if (phase_ != RunPhase::kQueued) throw std::logic_error("job run: start while not queued");
  phase_start_ = now;
  if (owes_restart_ && checkpoint_.restart_overhead > Time()) {
    phase_ = RunPhase::kRestarting;
    phase_end_ = instant_after(now, checkpoint_.restart_overhead);
  } else {
    phase_ = RunPhase::kWorking;
  }
  owes_restart_ = false;
  worked_since_checkpoint_ = Time();
  if (model_) iteration_s_ = 0;  // the new placement is timed by the speed model
}

PhaseStretch JobRun::advance(Time now) {
  PhaseStretch s{phase_, Time(), 0};
  const Time dt = now - phase_start_;
  phase_start_ = now;
  if (dt <= Time() || !running()) return s;
  s.duration = dt;
  if (phase_ != RunPhase::kWorking) return s;
  worked_since_checkpoint_ += dt;
  if (model_) {
    if (iteration_s_ > 0) {
      s.iterations = std::min(dt.seconds() / iteration_s_, remaining_iterations_);
      remaining_iterations_ -= s.iterations;
    }
  } else if (fixed_work_) {
    remaining_work_ = std::max(remaining_work_ - dt, Time());
  }
  return s;
}

std::optional<Time> JobRun::next_event(Time now) {
  planned_finish_ = false;
  if (!running()) return std::nullopt;
  if (phase_ != RunPhase::kWorking) return phase_end_;
  std::optional<Time> to_finish;
  if (model_) {
    if (iteration_s_ > 0) to_finish = Time::from_seconds_ceil(std::max(remaining_iterations_, 0.0) * iteration_s_);
  } else if (fixed_work_) {
    to_finish = remaining_work_;
  }
  std::optional<Time> to_checkpoint;
  if (checkpoint_.interval > Time()) to_checkpoint = std::max(checkpoint_.interval - worked_since_checkpoint_, Time());
  // A checkpoint due at the very end is not taken: finishing saves the result anyway.
  if (to_finish && (!to_checkpoint || *to_finish <= *to_checkpoint)) {
    planned_finish_ = true;
    return instant_after(now, *to_finish);
  }
  if (to_checkpoint) return instant_after(now, *to_checkpoint);
  return std::nullopt;
}

void JobRun::save() {
  worked_since_checkpoint_ = Time();
  checkpointed_remaining_work_ = remaining_work_;
  checkpointed_remaining_iterations_ = remaining_iterations_;
}

JobRun::Step JobRun::on_event(Time now) {
  Step step;
  step.stretch = advance(now);
  switch (phase_) {
    case RunPhase::kRestarting:
      phase_ = RunPhase::kWorking;
      break;
    case RunPhase::kCheckpointing:
      // The checkpoint is complete: the work before it is safe.
      step.saved = true;
      step.saved_work = worked_since_checkpoint_;
      save();
      phase_ = RunPhase::kWorking;
      break;
    case RunPhase::kWorking:
      if (planned_finish_) {
        step.saved = true;
        step.saved_work = worked_since_checkpoint_;
        step.finished = true;
        worked_since_checkpoint_ = Time();
        remaining_work_ = Time();
        remaining_iterations_ = 0;
        phase_ = RunPhase::kDone;
        break;
      }
      if (checkpoint_.write_time > Time()) {
        phase_ = RunPhase::kCheckpointing;
        phase_end_ = instant_after(now, checkpoint_.write_time);
      } else {
        step.saved = true;
        step.saved_work = worked_since_checkpoint_;
        save();
      }
      break;
    case RunPhase::kQueued:
    case RunPhase::kDone:
      throw std::logic_error("job run: an event while not running");
  }
  return step;
}

JobRun::Interruption JobRun::interrupt(Time now) {
  if (!running()) throw std::logic_error("job run: interrupted while not running");
  Interruption out;
  out.stretch = advance(now);
  // Everything since the last completed checkpoint is gone, an interrupted write included.
  out.lost_work = worked_since_checkpoint_;
  worked_since_checkpoint_ = Time();
  remaining_work_ = checkpointed_remaining_work_;
  remaining_iterations_ = checkpointed_remaining_iterations_;
  phase_ = RunPhase::kQueued;
  owes_restart_ = true;
  return out;
}

PhaseStretch JobRun::set_iteration_time(Time now, double iteration_s) {
  if (!(iteration_s > 0)) throw std::logic_error("speed model gave a non-positive iteration time");
  PhaseStretch s = advance(now);  // progress so far at the old speed
  iteration_s_ = iteration_s;
  return s;
}

std::optional<Time> JobRun::expected_run_time(Time now) const {
  Time left;
  if (phase_ == RunPhase::kRestarting || phase_ == RunPhase::kCheckpointing) {
    if (!phase_end_) return std::nullopt;  // a restart or write that never ends
    left += *phase_end_ - now;
  }
  if (phase_ == RunPhase::kQueued && owes_restart_) left += checkpoint_.restart_overhead;
  if (model_) {
    if (!(iteration_s_ > 0)) return std::nullopt;  // never timed: unknown
    double remaining = remaining_iterations_;
    if (phase_ == RunPhase::kWorking) remaining -= (now - phase_start_).seconds() / iteration_s_;
    return left + Time::from_seconds_ceil(std::max(remaining, 0.0) * iteration_s_);
  }
  if (!fixed_work_) return std::nullopt;
  Time work = remaining_work_;
  if (phase_ == RunPhase::kWorking) work = std::max(work - (now - phase_start_), Time());
  return left + work;
}

Time JobRun::unsaved_work(Time now) const {
  Time unsaved = worked_since_checkpoint_;
  if (phase_ == RunPhase::kWorking) unsaved += now - phase_start_;
  return unsaved;
}

}  // namespace cs
