#pragma once
// The (input, output) token-length pairs of a trace, to resample synthetic requests from.
// Pairs are drawn whole, so the correlation between prompt and answer length is kept. This
// holds the trace's pairs in memory (16 bytes a row: 310 KB for the Azure conversation trace).
#include <cstdint>
#include <utility>
#include <vector>

#include "sim/engine/random.hpp"
#include "workloads/request_source.hpp"

namespace cs {

struct TokenLengths {
  std::int64_t input = 0;
  std::int64_t output = 0;
};

class EmpiricalLengths {
 public:
  // Throws std::invalid_argument when empty.
  explicit EmpiricalLengths(std::vector<TokenLengths> pairs);
  // Drains `source` (throws what it throws; std::invalid_argument if it gives no request).
  static EmpiricalLengths from_source(RequestSource& source);

  // One pair, uniformly with replacement.
  TokenLengths sample(RandomStream& rng) const { return pairs_[rng.below(pairs_.size())]; }
  const std::vector<TokenLengths>& pairs() const { return pairs_; }

 private:
  std::vector<TokenLengths> pairs_;
};

}  // namespace cs
