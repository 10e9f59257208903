#pragma once
// Records addressed by a small integer slot, with freed slots reused (last freed, first
// reused, so a hot slot stays in cache). Models keep per-item state here so that events can
// capture a 4-byte slot instead of the record, and no record is allocated per item once the
// pool reached its high-water mark. References are invalidated when acquire() grows it.
#include <cstdint>
#include <vector>

namespace cs {

template <typename T>
class SlotPool {
 public:
  // A free slot; its record is whatever the last user left (assign a fresh T when needed).
  std::uint32_t acquire() {
    if (free_.empty()) {
      items_.emplace_back();
      return static_cast<std::uint32_t>(items_.size() - 1);
    }
    const std::uint32_t slot = free_.back();
    free_.pop_back();
    return slot;
  }
  void release(std::uint32_t slot) { free_.push_back(slot); }

  T& operator[](std::uint32_t slot) { return items_[slot]; }
  const T& operator[](std::uint32_t slot) const { return items_[slot]; }

 private:
  std::vector<T> items_;
  std::vector<std::uint32_t> free_;
};

}  // namespace cs
