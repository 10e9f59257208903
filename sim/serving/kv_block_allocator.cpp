#include "sim/serving/kv_block_allocator.hpp"

#include <stdexcept>
#include <string>

namespace cs {

KvBlockAllocator::KvBlockAllocator(std::int64_t total_blocks, std::int64_t block_tokens, std::int64_t host_blocks)
    : total_(total_blocks), block_tokens_(block_tokens), host_capacity_(host_blocks) {
  if (block_tokens < 1) throw std::invalid_argument("kv_block_tokens must be at least 1");
  if (host_blocks < 0) throw std::invalid_argument("the host tier of the KV cache must not be negative");
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

void KvBlockAllocator::unlink(Lru& list, std::uint32_t slot) {
  Entry& e = entries_[slot];
  (e.prev == kNone ? list.head : entries_[e.prev].next) = e.next;
  (e.next == kNone ? list.tail : entries_[e.next].prev) = e.prev;
  e.prev = e.next = kNone;
}

void KvBlockAllocator::append(Lru& list, std::uint32_t slot) {
  Entry& e = entries_[slot];
  e.prev = list.tail;
  e.next = kNone;
  (list.tail == kNone ? list.head : entries_[list.tail].next) = slot;
  list.tail = slot;
}

void KvBlockAllocator::drop(std::uint32_t slot) {
  slots_.erase(entries_[slot].id);
  entries_.release(slot);
}

void KvBlockAllocator::evict(std::int64_t blocks) {
  std::int64_t freed = 0;
  while (freed < blocks) {
    const std::uint32_t slot = gpu_lru_.head;
    unlink(gpu_lru_, slot);
    Entry& e = entries_[slot];
    freed += e.blocks;
    if (e.blocks > host_capacity_) {
      drop(slot);
      continue;
    }
    // Offloaded: the host tier makes room from its own least recently evicted entries (never
    // this one, which fits alone).
    e.on_host = true;
    append(host_lru_, slot);
    host_used_ += e.blocks;
    offloaded_ += e.blocks;
    while (host_used_ > host_capacity_) {
      const std::uint32_t oldest = host_lru_.head;
      unlink(host_lru_, oldest);
      host_used_ -= entries_[oldest].blocks;
      host_evicted_ += entries_[oldest].blocks;
      drop(oldest);
    }
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
    if (e.holders == 0 && !e.on_host) blocks += e.blocks;
  }
  return blocks;
}

std::int64_t KvBlockAllocator::host_blocks(std::span<const std::int64_t> ids) const {
  std::int64_t blocks = 0;
  for (const std::int64_t id : ids) {
    const Entry& e = entries_[slot_of(id)];
    if (e.on_host) blocks += e.blocks;
  }
  return blocks;
}

bool KvBlockAllocator::on_host(std::int64_t id) const {
  const auto it = slots_.find(id);
  return it != slots_.end() && entries_[it->second].on_host;
}

std::int64_t KvBlockAllocator::hold(std::span<const std::int64_t> ids) {
  // The entries in GPU memory first, then those coming back from the host, out of the host
  // list before any eviction: neither can be evicted to make room for the other.
  std::int64_t loaded = 0;
  for (const std::int64_t id : ids) {
    const std::uint32_t slot = slot_of(id);
    Entry& e = entries_[slot];
    if (e.on_host) {
      if (e.holders == 0) {  // a duplicate id comes back once
        unlink(host_lru_, slot);
        host_used_ -= e.blocks;
        loaded += e.blocks;
      }
      ++e.holders;
      continue;
    }
    if (e.holders++ > 0) continue;
    unlink(gpu_lru_, slot);
    cached_ -= e.blocks;
    used_ += e.blocks;
  }
  if (loaded == 0) return 0;
  if (loaded > free() + cached_) throw std::logic_error("host KV blocks brought back beyond the cache");
  if (loaded > free()) evict(loaded - free());
  used_ += loaded;
  host_loaded_ += loaded;
  for (const std::int64_t id : ids) entries_[slot_of(id)].on_host = false;
  return loaded;
}

void KvBlockAllocator::release(std::span<const std::int64_t> ids) {
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
    const std::uint32_t slot = slot_of(*it);
    Entry& e = entries_[slot];
    if (e.holders < 1) throw std::logic_error("a prefix block released that no sequence held");
    if (--e.holders > 0) continue;
    append(gpu_lru_, slot);
    used_ -= e.blocks;
    cached_ += e.blocks;
  }
}

bool KvBlockAllocator::adopt(std::int64_t id, std::int64_t entry_blocks) {
  if (entry_blocks < 1 || entry_blocks > used_) throw std::logic_error("a prefix entry adopted from blocks not held");
  // At most one entry per GPU block: sized once, so the index rehashes only as a host tier fills.
  if (slots_.empty()) slots_.reserve(static_cast<std::size_t>(total_));
  const auto [it, inserted] = slots_.try_emplace(id, kNone);
  if (!inserted) return false;
  it->second = entries_.acquire();
  entries_[it->second] = Entry{id, entry_blocks, 1, kNone, kNone};
  return true;
}

}  // namespace cs
