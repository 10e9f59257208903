#include "sim/llm/iteration_shape.hpp"

namespace cs {

IterationShape& IterationShape::operator+=(const IterationShape& o) {
  sequences += o.sequences;
  new_tokens += o.new_tokens;
  attended_pairs += o.attended_pairs;
  kv_read_tokens += o.kv_read_tokens;
  logit_tokens += o.logit_tokens;
  return *this;
}

IterationShape prefill_shape(double prompts, double prompt_tokens, double cached_tokens) {
  const double n = prompt_tokens;
  IterationShape s;
  s.sequences = prompts;
  s.new_tokens = prompts * n;
  s.attended_pairs = prompts * (n * cached_tokens + n * (n + 1) / 2);
  s.kv_read_tokens = prompts * cached_tokens;
  s.logit_tokens = n > 0 ? prompts : 0;
  return s;
}

IterationShape decode_shape(double sequences, double context_tokens) {
  return decode_run_shape(sequences, context_tokens, 1);
}

IterationShape decode_run_shape(double sequences, double start_context, double steps) {
  IterationShape s;
  // sum_{j=0}^{steps-1} (start + j) = steps*start + steps(steps-1)/2
  const double cached_sum = steps * start_context + steps * (steps - 1) / 2;
  s.sequences = sequences;
  s.new_tokens = sequences * steps;
  s.kv_read_tokens = sequences * cached_sum;
  s.attended_pairs = sequences * (cached_sum + steps);
  s.logit_tokens = sequences * steps;
  return s;
}

IterationShape training_shape(double sequences, double tokens) {
  IterationShape s = prefill_shape(sequences, tokens);
  s.logit_tokens = sequences * tokens;
  return s;
}

}  // namespace cs
