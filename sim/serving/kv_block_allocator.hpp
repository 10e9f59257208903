#pragma once
// The paged KV cache of one replica as a count of fixed-size blocks (vLLM's PagedAttention
// block manager, TensorRT-LLM's KV-cache manager): who holds which block does not change a
// batch's cost, so only how many are held matters. Each sequence records its own blocks.
#include <cstdint>

namespace cs {

class KvBlockAllocator {
 public:
  // Throws std::invalid_argument for a cache without a block or a block without a token.
  KvBlockAllocator(std::int64_t total_blocks, std::int64_t block_tokens);

  std::int64_t total() const { return total_; }
  std::int64_t used() const { return used_; }
  std::int64_t free() const { return total_ - used_; }
  std::int64_t block_tokens() const { return block_tokens_; }
  // Blocks that hold `tokens` tokens.
  std::int64_t blocks_for(std::int64_t tokens) const { return (tokens + block_tokens_ - 1) / block_tokens_; }
  // Whether `blocks` more can be taken leaving at least `keep_free` free.
  bool can_take(std::int64_t blocks, std::int64_t keep_free = 0) const { return blocks + keep_free <= free(); }
  // Takes or returns blocks; throws std::logic_error past the cache's ends (a model bug).
  void take(std::int64_t blocks);
  void give_back(std::int64_t blocks);

 private:
  std::int64_t total_;
  std::int64_t block_tokens_;
  std::int64_t used_ = 0;
};

}  // namespace cs
