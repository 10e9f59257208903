#include "sim/serving/kv_block_allocator.hpp"

#include <stdexcept>
#include <string>

namespace cs {

KvBlockAllocator::KvBlockAllocator(std::int64_t total_blocks, std::int64_t block_tokens)
    : total_(total_blocks), block_tokens_(block_tokens) {
  if (block_tokens < 1) throw std::invalid_argument("kv_block_tokens must be at least 1");
  if (total_blocks < 1)
    throw std::invalid_argument("the KV cache holds no block of " + std::to_string(block_tokens) +
                                " tokens: the model leaves no memory for it");
}

void KvBlockAllocator::take(std::int64_t blocks) {
  if (blocks < 0 || blocks > free() + cached_) throw std::logic_error("KV blocks taken beyond the cache");
  if (blocks > free()) evict(blocks - free());
  used_ += blocks;
}

void KvBlockAllocator::give_back(std::int64_t blocks) {
  if (blocks < 0 || blocks > used_) throw std::logic_error("KV blocks returned that were not taken");
  used_ -= blocks;
}

std::uint32_t KvBlockAllocator::slot_of(std::int64_t id) const {
  const auto it = slots_.find(id);
  if (it == slots_.end()) throw std::logic_error("a prefix block used that is not cached");
  return it->second;
}

void KvBlockAllocator::unlink(std::uint32_t slot) {
  Entry& e = entries_[slot];
  (e.prev == kNone ? lru_head_ : entries_[e.prev].next) = e.next;
  (e.next == kNone ? lru_tail_ : entries_[e.next].prev) = e.prev;
  e.prev = e.next = kNone;
}

void KvBlockAllocator::append(std::uint32_t slot) {
  Entry& e = entries_[slot];
  e.prev = lru_tail_;
  e.next = kNone;
  (lru_tail_ == kNone ? lru_head_ : entries_[lru_tail_].next) = slot;
  lru_tail_ = slot;
}

void KvBlockAllocator::evict(std::int64_t blocks) {
  std::int64_t freed = 0;
  while (freed < blocks) {
    const std::uint32_t slot = lru_head_;
    unlink(slot);
    freed += entries_[slot].blocks;
    slots_.erase(entries_[slot].id);
    entries_.release(slot);
  }
  cached_ -= freed;
  evicted_ += freed;
}

std::int64_t KvBlockAllocator::cached_prefix(std::span<const std::int64_t> ids) const {
  std::int64_t n = 0;
  while (n < static_cast<std::int64_t>(ids.size()) && slots_.contains(ids[static_cast<std::size_t>(n)])) ++n;
  return n;
}

std::int64_t KvBlockAllocator::evictable_blocks(std::span<const std::int64_t> ids) const {
  std::int64_t blocks = 0;
  for (const std::int64_t id : ids) {
    const Entry& e = entries_[slot_of(id)];
    if (e.holders == 0) blocks += e.blocks;
  }
  return blocks;
}

void KvBlockAllocator::hold(std::span<const std::int64_t> ids) {
  for (const std::int64_t id : ids) {
    const std::uint32_t slot = slot_of(id);
    Entry& e = entries_[slot];
    if (e.holders++ > 0) continue;
    unlink(slot);
    cached_ -= e.blocks;
    used_ += e.blocks;
  }
}

void KvBlockAllocator::release(std::span<const std::int64_t> ids) {
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
    const std::uint32_t slot = slot_of(*it);
    Entry& e = entries_[slot];
    if (e.holders < 1) throw std::logic_error("a prefix block released that no sequence held");
    if (--e.holders > 0) continue;
    append(slot);
    used_ -= e.blocks;
    cached_ += e.blocks;
  }
}

bool KvBlockAllocator::adopt(std::int64_t id, std::int64_t entry_blocks) {
  if (entry_blocks < 1 || entry_blocks > used_) throw std::logic_error("a prefix entry adopted from blocks not held");
  // At most one entry per block: sized once, so the index never rehashes.
  if (slots_.empty()) slots_.reserve(static_cast<std::size_t>(total_));
  const auto [it, inserted] = slots_.try_emplace(id, kNone);
  if (!inserted) return false;
  it->second = entries_.acquire();
  entries_[it->second] = Entry{id, entry_blocks, 1, kNone, kNone};
  return true;
}

}  // namespace cs
