#include "sim/llm/iteration_shape.hpp"

namespace cs {

IterationShape prefill_shape(double prompts, double prompt_tokens, double cached_tokens) {
  const double n = prompt_tokens;
  IterationShape s;
  s.sequences = prompts;
  s.prompts = prompts;
  s.new_tokens = prompts * n;
  s.attended_pairs = prompts * (n * cached_tokens + n * (n + 1) / 2);
  s.kv_read_tokens = prompts * cached_tokens;
  s.logit_tokens = n > 0 ? prompts : 0;
  return s;
}

IterationShape training_shape(double sequences, double tokens) {
  IterationShape s = prefill_shape(sequences, tokens);
  s.logit_tokens = sequences * tokens;
  return s;
}

}  // namespace cs
