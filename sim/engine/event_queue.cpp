#include "sim/engine/event_queue.hpp"

#include <stdexcept>

namespace cs {

namespace {
constexpr std::uint64_t kSequenceBits = 56;
constexpr std::uint64_t kSequenceMask = (std::uint64_t{1} << kSequenceBits) - 1;
}  // namespace

void EventQueue::reserve(std::size_t events) {
  heap_.reserve(events);
  slots_.reserve(events);
  free_slots_.reserve(events);
}

EventHandle EventQueue::push(Time at, Callback action, Priority priority) {
  if (sequence_ > kSequenceMask) throw std::overflow_error("event sequence counter exhausted");
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    if (slots_.size() >= UINT32_MAX) throw std::overflow_error("more than 2^32 pending events");
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& s = slots_[slot];
  s.action = std::move(action);
  s.pending = true;
  const auto prio = static_cast<std::uint64_t>(static_cast<std::int64_t>(priority) + 128);
  const Key key{at.count_ns(), (prio << kSequenceBits) | sequence_++, slot, s.generation};
  heap_.push_back(key);
  sift_up(heap_.size() - 1, key);
  ++live_;
  return {slot, s.generation};
}

bool EventQueue::is_pending(EventHandle h) const {
  return h.slot < slots_.size() && slots_[h.slot].pending && slots_[h.slot].generation == h.generation;
}

bool EventQueue::cancel(EventHandle h) {
  if (!is_pending(h)) return false;
  slots_[h.slot].action.reset();
  release(h.slot);
  --live_;
  return true;
}

void EventQueue::release(std::uint32_t slot) {
  Slot& s = slots_[slot];
  s.pending = false;
  ++s.generation;
  free_slots_.push_back(slot);
}

void EventQueue::drop_stale_top() {
  while (!heap_.empty() && stale(heap_.front())) pop_heap_top();
}

Callback EventQueue::pop(Time& at) {
  drop_stale_top();
  const Key top = heap_.front();
  pop_heap_top();
  at = Time::ns(top.time_ns);
  Callback action = std::move(slots_[top.slot].action);
  release(top.slot);
  --live_;
  return action;
}

void EventQueue::sift_up(std::size_t hole, Key key) {
  while (hole > 0) {
    const std::size_t parent = (hole - 1) / 2;
    if (!before(key, heap_[parent])) break;
    heap_[hole] = heap_[parent];
    hole = parent;
  }
  heap_[hole] = key;
}

// Floyd's bottom-up deletion: walk the hole down along the smaller children to a leaf
// without comparing against the moved key, then sift the last key up from there. The last
// key almost always belongs near the bottom, so this saves about half the comparisons.
void EventQueue::pop_heap_top() {
  const Key last = heap_.back();
  heap_.pop_back();
  const std::size_t n = heap_.size();
  if (n == 0) return;
  std::size_t hole = 0;
  std::size_t child = 1;
  while (child < n) {
    if (child + 1 < n && before(heap_[child + 1], heap_[child])) ++child;
    heap_[hole] = heap_[child];
    hole = child;
    child = 2 * hole + 1;
  }
  sift_up(hole, last);
}

}  // namespace cs
