#include "sim/engine/engine.hpp"

#include <stdexcept>

namespace cs {

EventHandle Engine::schedule_at(Time at, Callback action, Priority priority) {
  if (at < now_)
    throw std::logic_error("event scheduled at " + format_duration(at) + ", before the current time " +
                           format_duration(now_));
  return queue_.push(at, std::move(action), priority);
}

bool Engine::run_until(Time horizon, std::uint64_t max_events) {
  stop_requested_ = false;
  std::uint64_t budget = max_events;
  for (;;) {
    if (stop_requested_) return false;
    if (budget == 0) return queue_.empty() || queue_.next_time() > horizon ? finish_at(horizon) : false;
    if (!queue_.run_due(horizon, now_)) break;
    ++events_processed_;
    --budget;
  }
  return finish_at(horizon);
}

bool Engine::finish_at(Time horizon) {
  if (horizon > now_) now_ = horizon;
  return true;
}

void Engine::run() {
  stop_requested_ = false;
  while (!stop_requested_ && !queue_.empty()) {
    Callback action = queue_.pop(now_);
    ++events_processed_;
    action();
  }
}

}  // namespace cs
