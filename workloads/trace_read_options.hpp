#pragma once
// Options every request-trace reader takes.
#include <string>

#include "sim/engine/time.hpp"

namespace cs {

enum class TraceTimeOrigin {
  kFirstRow,  // the first good row arrives at `offset` (wall-clock traces need this)
  kFileZero,  // the file's own times are kept: a row at 5 s arrives at offset + 5 s
};

struct TraceReadOptions {
  // false: the first malformed row throws TraceError. true: malformed rows are skipped and
  // counted (RequestSource::skipped_rows); the file itself (unreadable, bad header) still
  // throws.
  bool skip_bad_rows = false;
  TraceTimeOrigin origin = TraceTimeOrigin::kFirstRow;
  Time offset;  // added to every arrival: where the trace starts in simulated time
  // Stamped on every request that does not name a model itself.
  std::string model;
  // Tokens each prefix hash id of a row covers (JSONL `hash_ids`): the Mooncake traces hash
  // blocks of 512 tokens (kvcache-ai/Mooncake, FAST'25 trace README).
  std::int64_t prefix_block_tokens = 512;
};

}  // namespace cs
