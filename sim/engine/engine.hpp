#pragma once
// The simulation clock and loop. Models hold an Engine& (no globals) and schedule
// callbacks; the loop pops the next event, advances the clock to it and runs it.
//
// Contract: an exception thrown by an event's action ends the run. It propagates out of
// run_until()/run() unchanged, with the clock at the failed event's time; the loop neither
// catches nor retries it, and the models are in whatever state the action left them, so the
// caller reports the error and discards the run (the CLI exits with an error). The event
// queue itself stays consistent (the failed event's slot is freed), so the Engine may be
// destroyed safely.
#include <cstdint>
#include <string_view>

#include "sim/engine/event_queue.hpp"
#include "sim/engine/random.hpp"

namespace cs {

class Engine {
 public:
  explicit Engine(std::uint64_t seed) : random_(seed) {}
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  Time now() const { return now_; }

  // Scheduling in the past is a model bug and throws std::logic_error.
  EventHandle schedule_at(Time at, Callback action, Priority priority = Priority::kModel);
  EventHandle schedule_in(Time delay, Callback action, Priority priority = Priority::kModel) {
    return schedule_at(now_ + delay, std::move(action), priority);
  }
  bool cancel(EventHandle handle) { return queue_.cancel(handle); }
  bool is_pending(EventHandle handle) const { return queue_.is_pending(handle); }

  // Runs every event with time <= horizon, then sets the clock to the horizon. Returns
  // early (false) after max_events events or when stop() was called; true when done.
  bool run_until(Time horizon, std::uint64_t max_events = UINT64_MAX);
  // Runs until no event is left (or stop()).
  void run();
  // Ends the current run_until()/run() after the running event.
  void stop() { stop_requested_ = true; }

  std::uint64_t events_processed() const { return events_processed_; }
  std::size_t pending_events() const { return queue_.size(); }
  EventQueue& queue() { return queue_; }

  // Named random stream ("arrivals", "failures", ...), seeded from the run seed and the name.
  RandomStream& random(std::string_view name) { return random_.stream(name); }
  std::uint64_t seed() const { return random_.seed(); }

 private:
  bool finish_at(Time horizon);  // sets the clock to the horizon; true

  EventQueue queue_;
  RandomStreams random_;
  Time now_{};
  std::uint64_t events_processed_ = 0;
  bool stop_requested_ = false;
};

}  // namespace cs
