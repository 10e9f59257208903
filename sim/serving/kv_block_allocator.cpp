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
  if (blocks < 0 || blocks > free()) throw std::logic_error("KV blocks taken beyond the cache");
  used_ += blocks;
}

void KvBlockAllocator::give_back(std::int64_t blocks) {
  if (blocks < 0 || blocks > used_) throw std::logic_error("KV blocks returned that were not taken");
  used_ -= blocks;
}

}  // namespace cs
