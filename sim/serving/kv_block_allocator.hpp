#pragma once
// The paged KV cache of one replica as a count of fixed-size blocks (vLLM's PagedAttention
// block manager, TensorRT-LLM's KV-cache manager): who holds which block does not change a
// batch's cost, so only how many are held matters. Each sequence records its own blocks.
//
// With prefix caching, blocks whose contents are named by a prefix id (a request's hash id of
// one prompt block, as in the Mooncake traces) stay in the cache after the sequence that
// computed them leaves: a later prompt starting with the same ids reuses them instead of
// computing them again (vLLM's automatic prefix caching, SGLang's RadixAttention). A cached
// entry is held while any running sequence uses it; one that no sequence holds is evictable,
// and evicted least recently released first when blocks are needed (vLLM's evictor).
//
// With a host tier (a capacity in blocks of host DRAM), an entry evicted from the GPU moves to
// a second LRU in host memory instead of vanishing (vLLM's CPU offloading through LMCache,
// SGLang's HiCache, Mooncake's store); the host tier drops its own least recently evicted
// entries at its capacity. A block lives in one tier at a time: holding a host entry copies it
// back into GPU blocks (taken like any others) and takes it out of the host tier.
#include <cstdint>
#include <span>
#include <unordered_map>

#include "sim/engine/slot_pool.hpp"

namespace cs {

class KvBlockAllocator {
 public:
  // Throws std::invalid_argument for a cache without a block, a block without a token or a
  // negative host tier. `host_blocks` 0: no host tier (evicted entries are gone).
  KvBlockAllocator(std::int64_t total_blocks, std::int64_t block_tokens, std::int64_t host_blocks = 0);

  std::int64_t total() const { return total_; }
  // Blocks sequences hold: their own and the cached prefix entries they use.
  std::int64_t used() const { return used_; }
  // Blocks neither held nor cached.
  std::int64_t free() const { return total_ - used_ - cached_; }
  // Cached prefix blocks no sequence holds: evicted when blocks are needed.
  std::int64_t cached() const { return cached_; }
  std::int64_t block_tokens() const { return block_tokens_; }
  // Blocks that hold `tokens` tokens.
  std::int64_t blocks_for(std::int64_t tokens) const { return (tokens + block_tokens_ - 1) / block_tokens_; }
  // Whether `blocks` more can be taken (evicting cached ones) leaving at least `keep_free` free.
  bool can_take(std::int64_t blocks, std::int64_t keep_free = 0) const {
    return blocks + keep_free <= free() + cached_;
  }
  // Takes blocks, evicting cached prefix entries least recently released first when the free
  // ones do not suffice, or returns them; throws std::logic_error past the cache's ends (a
  // model bug).
  void take(std::int64_t blocks);
  void give_back(std::int64_t blocks);

  // Prefix entries. `ids` are a prompt's prefix ids in order; an entry covers `entry_blocks`.
  // How many leading ids are cached (held or not).
  std::int64_t cached_prefix(std::span<const std::int64_t> ids) const;
  // Blocks of the entries of `ids` in GPU memory that no sequence holds (holding them takes
  // them out of what can be evicted).
  std::int64_t evictable_blocks(std::span<const std::int64_t> ids) const;
  // Blocks of the entries of `ids` in the host tier (holding them takes that many GPU blocks).
  std::int64_t host_blocks(std::span<const std::int64_t> ids) const;
  // A sequence starts using the cached entries `ids` (all cached, in either tier). Entries in
  // the host tier come back into GPU blocks, evicting others if the free ones do not suffice
  // (never an entry of `ids`); returns how many blocks came from the host tier.
  std::int64_t hold(std::span<const std::int64_t> ids);
  // A sequence stops using them: entries no sequence holds become evictable, the last id first,
  // so a prefix is evicted from its tail and its head stays reusable longest.
  void release(std::span<const std::int64_t> ids);
  // Whether `id` is cached (in either tier), and whether in the host tier.
  bool contains(std::int64_t id) const { return slots_.contains(id); }
  bool on_host(std::int64_t id) const;
  // `entry_blocks` of a sequence's own blocks, now full with the contents `id` names, become a
  // cached entry that sequence holds. False (and nothing changes) when `id` is cached already.
  bool adopt(std::int64_t id, std::int64_t entry_blocks);
  // Blocks evicted from the GPU so far (a counter; those offloaded to the host tier included).
  std::int64_t evicted_blocks() const { return evicted_; }
  // The host tier: its capacity and the blocks in it; blocks moved into it from the GPU,
  // copied back out of it by hold(), and dropped from it at its capacity (counters).
  std::int64_t host_capacity() const { return host_capacity_; }
  std::int64_t host_used() const { return host_used_; }
  std::int64_t offloaded_blocks() const { return offloaded_; }
  std::int64_t host_loaded_blocks() const { return host_loaded_; }
  std::int64_t host_evicted_blocks() const { return host_evicted_; }

 private:
  static constexpr std::uint32_t kNone = UINT32_MAX;
  // A cached entry in a recycled slot. The evictable ones in GPU memory form one list through
  // prev/next, least recently released at the head; those in the host tier another, least
  // recently evicted at the head (no allocation per entry once the pool has grown).
  struct Entry {
    std::int64_t id = 0;
    std::int64_t blocks = 0;
    std::int64_t holders = 0;
    std::uint32_t prev = kNone;
    std::uint32_t next = kNone;
    bool on_host = false;
  };
  struct Lru {
    std::uint32_t head = kNone;
    std::uint32_t tail = kNone;
  };
  std::uint32_t slot_of(std::int64_t id) const;
  void unlink(Lru& list, std::uint32_t slot);
  void append(Lru& list, std::uint32_t slot);
  void evict(std::int64_t blocks);
  void drop(std::uint32_t slot);  // forgets the entry

  std::int64_t total_;
  std::int64_t block_tokens_;
  std::int64_t used_ = 0;
  std::int64_t cached_ = 0;
  std::int64_t evicted_ = 0;
  std::int64_t host_capacity_;
  std::int64_t host_used_ = 0;
  std::int64_t offloaded_ = 0;
  std::int64_t host_loaded_ = 0;
  std::int64_t host_evicted_ = 0;
  SlotPool<Entry> entries_;
  std::unordered_map<std::int64_t, std::uint32_t> slots_;  // id → its entry's slot
  Lru gpu_lru_;
  Lru host_lru_;
};

}  // namespace cs
