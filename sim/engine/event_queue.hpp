#pragma once
// The pending-event set. Order is defined here and nowhere else:
//   1. earlier time first;
//   2. at equal time, lower priority value first (see Priority);
//   3. at equal time and priority, the event scheduled first runs first (insertion sequence).
// So the order never depends on heap layout, and a run is reproducible bit for bit.
//
// Storage: a binary min-heap of 16-byte keys (time, priority, slot) plus a slab of slots that
// hold the callback and the insertion sequence. Keys are small so the heap stays in cache;
// the sequence is read from the slot only to break a tie of time and priority. Freed slots
// are recycled, so once the heap and slab reached their high-water mark no event allocates.
// Cancellation is lazy: the slot keeps its place until its key reaches the top, and a
// generation count makes old handles to a recycled slot harmless.
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

#include "sim/engine/callback.hpp"
#include "sim/engine/time.hpp"

namespace cs {

// Tie-breakers at equal time. Model state changes run before observers sample them.
enum class Priority : std::int8_t {
  kControl = -64,  // stop requests, run horizon
  kModel = 0,      // the default for model events
  // After every model event of the instant, before observers: state derived from what the
  // model events changed settles once (flow rates recomputed, idle replicas woken).
  kSettle = 32,
  kObserve = 64,   // metrics sampling sees every model event of the same instant
};

struct EventHandle {
  std::uint32_t slot = UINT32_MAX;
  std::uint32_t generation = 0;
  bool valid() const { return slot != UINT32_MAX; }
};

// Cache-line-aligned storage for the heap, so that the four grandchildren of a node share
// one line and one prefetch fetches them all.
template <typename T>
struct CacheLineAllocator {
  using value_type = T;
  static constexpr std::align_val_t kAlign{64};
  CacheLineAllocator() = default;
  template <typename U>
  CacheLineAllocator(const CacheLineAllocator<U>&) {}  // NOLINT(google-explicit-constructor)
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlign)); }
  void deallocate(T* p, std::size_t) { ::operator delete(p, kAlign); }
  template <typename U>
  bool operator==(const CacheLineAllocator<U>&) const {
    return true;
  }
};

class EventQueue {
 public:
  EventQueue();

  EventHandle push(Time at, Callback action, Priority priority = Priority::kModel);
  // True when the event was still pending; false when it already ran or was cancelled.
  bool cancel(EventHandle handle);
  bool is_pending(EventHandle handle) const;

  bool empty() const { return live_ == 0; }
  std::size_t size() const { return live_; }
  // Time of the next live event; the queue must not be empty.
  Time next_time() {
    drop_cancelled_top();
    return Time::ns(heap_[1].time_ns);
  }
  // Removes the next live event and hands back its time and action; the queue must not be empty.
  Callback pop(Time& at);
  // If the next live event is due at or before `horizon`: sets `now` to its time, runs it
  // in place (it may schedule and cancel others) and returns true; false otherwise. If the
  // action throws, the exception propagates (it ends the run, see Engine) and the event's
  // slot is still freed: the queue stays consistent for the caller that catches it.
  bool run_due(Time horizon, Time& now);

  void reserve(std::size_t events);

 private:
  struct Key {
    std::int64_t time_ns;
    std::uint32_t slot;
    std::int32_t priority;
  };
  struct Slot {
    Callback action;
    std::uint64_t sequence = 0;
    std::uint32_t generation = 0;
    bool pending = false;  // false once run or cancelled
  };
  bool before(const Key& a, const Key& b) const {
    if (a.time_ns != b.time_ns) return a.time_ns < b.time_ns;
    if (a.priority != b.priority) return a.priority < b.priority;
    return slot(a.slot).sequence < slot(b.slot).sequence;
  }
  void drop_cancelled_top();
  Callback take_top(Time& at);
  // Slots live in fixed chunks that never move, so an action can run in place while it
  // schedules new events (a vector's reallocation would pull it from under its own feet).
  static constexpr std::size_t kChunkBits = 12;
  static constexpr std::size_t kChunkSize = std::size_t{1} << kChunkBits;
  Slot& slot(std::uint32_t i) { return chunks_[i >> kChunkBits][i & (kChunkSize - 1)]; }
  const Slot& slot(std::uint32_t i) const { return chunks_[i >> kChunkBits][i & (kChunkSize - 1)]; }
  std::uint32_t new_slot();
  void sift_up(std::size_t hole, Key key);
  void pop_heap_top();
  void release(std::uint32_t slot);

  // 1-based: heap_[0] is unused, the children of i are 2i and 2i+1 and the grandchildren
  // 4i..4i+3, which with 16-byte keys and aligned storage fill exactly one cache line.
  std::vector<Key, CacheLineAllocator<Key>> heap_;
  std::vector<std::unique_ptr<Slot[]>> chunks_;
  std::uint32_t slot_count_ = 0;
  std::vector<std::uint32_t> free_slots_;
  std::uint64_t sequence_ = 0;
  std::size_t live_ = 0;
  std::size_t cancelled_keys_ = 0;  // keys in the heap whose event was cancelled
};

}  // namespace cs
