#include "sim/engine/event_queue.hpp"

#include <stdexcept>

namespace cs {

EventQueue::EventQueue() : heap_(1) {}

void EventQueue::reserve(std::size_t events) {
  heap_.reserve(events + 1);
  free_slots_.reserve(events);
  while (chunks_.size() * kChunkSize < events) chunks_.push_back(std::make_unique<Slot[]>(kChunkSize));
}

EventHandle EventQueue::push(Time at, Callback action, Priority priority) {
  const std::uint32_t index = new_slot();
  Slot& s = slot(index);
  s.action = std::move(action);
  s.pending = true;
  s.sequence = sequence_++;
  const Key key{at.count_ns(), index, static_cast<std::int32_t>(priority)};
  heap_.push_back(key);
  sift_up(heap_.size() - 1, key);
  ++live_;
  return {index, s.generation};
}

std::uint32_t EventQueue::new_slot() {
  if (!free_slots_.empty()) {
    const std::uint32_t index = free_slots_.back();
    free_slots_.pop_back();
    return index;
  }
  if (slot_count_ == UINT32_MAX) throw std::overflow_error("more than 2^32 pending events");
  if (slot_count_ == chunks_.size() * kChunkSize) chunks_.push_back(std::make_unique<Slot[]>(kChunkSize));
  return slot_count_++;
}

bool EventQueue::is_pending(EventHandle h) const {
  return h.slot < slot_count_ && slot(h.slot).pending && slot(h.slot).generation == h.generation;
}

bool EventQueue::cancel(EventHandle h) {
  if (!is_pending(h)) return false;
  Slot& s = slot(h.slot);
  s.action.reset();
  s.pending = false;
  ++s.generation;  // the handle is stale from now on; the slot is freed when its key surfaces
  --live_;
  ++cancelled_keys_;
  return true;
}

void EventQueue::release(std::uint32_t slot) {
  free_slots_.push_back(slot);
}

void EventQueue::drop_cancelled_top() {
  while (cancelled_keys_ > 0 && heap_.size() > 1 && !slot(heap_[1].slot).pending) {
    const std::uint32_t index = heap_[1].slot;
    pop_heap_top();
    release(index);
    --cancelled_keys_;
  }
}

Callback EventQueue::take_top(Time& at) {
  const Key top = heap_[1];
  pop_heap_top();
  at = Time::ns(top.time_ns);
  Slot& s = slot(top.slot);
  Callback action = std::move(s.action);
  s.pending = false;
  ++s.generation;
  release(top.slot);
  --live_;
  return action;
}

Callback EventQueue::pop(Time& at) {
  drop_cancelled_top();
  return take_top(at);
}

bool EventQueue::run_due(Time horizon, Time& now) {
  drop_cancelled_top();
  if (heap_.size() == 1 || heap_[1].time_ns > horizon.count_ns()) return false;
  const Key top = heap_[1];
  pop_heap_top();
  now = Time::ns(top.time_ns);
  // The next event's slot is a random place in memory: start fetching it now, so the wait
  // overlaps this event's work instead of adding to the next one's.
  if (heap_.size() > 1) {
    const char* next = reinterpret_cast<const char*>(&slot(heap_[1].slot));
    __builtin_prefetch(next);
    __builtin_prefetch(next + 64);
  }
  Slot& s = slot(top.slot);
  s.pending = false;
  ++s.generation;  // from here on the event cannot be cancelled: it is running
  --live_;
  // Only once the action is over may a new event take the slot; that holds when it throws
  // too, or the slot would be lost to the queue for good.
  struct Release {
    EventQueue& queue;
    std::uint32_t index;
    ~Release() {
      queue.slot(index).action.reset();
      queue.release(index);
    }
  } release_after{*this, top.slot};
  s.action();
  return true;
}

void EventQueue::sift_up(std::size_t hole, Key key) {
  while (hole > 1) {
    const std::size_t parent = hole / 2;
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
  const std::size_t n = heap_.size() - 1;  // keys now in heap_[1..n]
  if (n == 0) return;
  Key* const h = heap_.data();
  std::size_t hole = 1;
  std::size_t child = 2;
  while (child < n) {
    // Fetch two levels ahead while this level is compared: in a heap larger than the
    // cache the walk down is a chain of memory waits, and this overlaps them. The eight
    // great-grandchildren of `hole` fill two cache lines; the grandchildren were fetched
    // by the level above.
    if (8 * hole + 7 <= n) {
      __builtin_prefetch(h + 8 * hole);
      __builtin_prefetch(h + 8 * hole + 4);
    }
    // Which child is smaller is a coin flip for random times: select it without a branch.
    // Equal times, rare, take the full (priority, sequence) order.
    bool take_right = h[child + 1].time_ns < h[child].time_ns;
    if (h[child + 1].time_ns == h[child].time_ns) [[unlikely]]
      take_right = before(h[child + 1], h[child]);
    child += take_right;
    h[hole] = h[child];
    hole = child;
    child = 2 * hole;
  }
  if (child == n) {  // a last parent with a single child
    h[hole] = h[child];
    hole = child;
  }
  sift_up(hole, last);
}

}  // namespace cs
