#pragma once
// One inference request as a workload produces it: when it arrives and how much work it
// carries. What happens to it afterwards (queueing, batching, latency) belongs to sim/serving.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/engine/time.hpp"

namespace cs {

struct InferenceRequest {
  Time arrival;
  std::int64_t input_tokens = 0;   // prompt (context) length
  std::int64_t output_tokens = 0;  // tokens to generate
  // Empty: the request names no model and the router decides (or splits by ratio).
  std::string model;
  // Ids of the prompt's KV-cache blocks, as in the Mooncake traces: two requests sharing a
  // leading run of ids share that prefix. Empty when the trace carries none.
  std::vector<std::int64_t> prefix_hash_ids;
  // Tokens each of those ids covers (Mooncake: 512); 0 when there are none.
  std::int64_t prefix_block_tokens = 0;
};

}  // namespace cs
