#pragma once
// The pending-event set. Order is defined here and nowhere else:
//   1. earlier time first;
//   2. at equal time, lower priority value first (see Priority);
//   3. at equal time and priority, the event scheduled first runs first (insertion sequence).
// So the order never depends on heap layout, and a run is reproducible bit for bit.
//
// Storage: a binary min-heap of 24-byte keys plus a slab of callbacks indexed by slot. Freed
// slots are recycled, so once the heap and slab reached their high-water mark no event
// allocates. Cancellation is lazy: the slot's generation is bumped and its stale heap key is
// dropped when it reaches the top.
#include <cstdint>
#include <vector>

#include "sim/engine/callback.hpp"
#include "sim/engine/time.hpp"

namespace cs {

// Tie-breakers at equal time. Model state changes run before observers sample them.
enum class Priority : std::int8_t {
  kControl = -64,  // stop requests, run horizon
  kModel = 0,      // the default for model events
  kObserve = 64,   // metrics sampling sees every model event of the same instant
};

struct EventHandle {
  std::uint32_t slot = UINT32_MAX;
  std::uint32_t generation = 0;
  bool valid() const { return slot != UINT32_MAX; }
};

class EventQueue {
 public:
  EventHandle push(Time at, Callback action, Priority priority = Priority::kModel);
  // True when the event was still pending; false when it already ran or was cancelled.
  bool cancel(EventHandle handle);
  bool is_pending(EventHandle handle) const;

  bool empty() { drop_stale_top(); return heap_.empty(); }
  std::size_t size() const { return live_; }
  // Time of the next live event; the queue must not be empty.
  Time next_time() { drop_stale_top(); return Time::ns(heap_.front().time_ns); }
  // Removes the next live event and hands back its time and action.
  Callback pop(Time& at);

  void reserve(std::size_t events);

 private:
  struct Key {
    std::int64_t time_ns;
    std::uint64_t order;  // priority in the top 8 bits, insertion sequence below
    std::uint32_t slot;
    std::uint32_t generation;
  };
  struct Slot {
    Callback action;
    std::uint32_t generation = 0;
    bool pending = false;
  };
  static bool before(const Key& a, const Key& b) {
    return a.time_ns < b.time_ns || (a.time_ns == b.time_ns && a.order < b.order);
  }
  bool stale(const Key& k) const { return slots_[k.slot].generation != k.generation; }
  void drop_stale_top();
  void sift_up(std::size_t hole, Key key);
  void pop_heap_top();
  void release(std::uint32_t slot);

  std::vector<Key> heap_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::uint64_t sequence_ = 0;
  std::size_t live_ = 0;
};

}  // namespace cs
