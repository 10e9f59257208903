#pragma once
// What one forward iteration of a serving replica processes, reduced to the sums the cost
// model needs, so a continuous-batching scheduler can add prompts and decode sequences without
// allocating. Shapes add: a chunked-prefill step is prefill_shape(...) + decode_shape(...).
namespace cs {

struct IterationShape {
  double sequences = 0;       // sequences touched by the step
  double prompts = 0;         // of those, prompts (or prompt chunks) being prefilled
  double new_tokens = 0;      // tokens whose activations pass through every layer
  double attended_pairs = 0;  // sum over new tokens of the context each attends to (causal)
  double kv_read_tokens = 0;  // cached tokens whose K and V are read from HBM
  double logit_tokens = 0;    // tokens whose next-token logits are computed

  IterationShape& operator+=(const IterationShape& o) {
    sequences += o.sequences;
    prompts += o.prompts;
    new_tokens += o.new_tokens;
    attended_pairs += o.attended_pairs;
    kv_read_tokens += o.kv_read_tokens;
    logit_tokens += o.logit_tokens;
    return *this;
  }
  friend IterationShape operator+(IterationShape a, const IterationShape& b) { return a += b; }
};

// `prompts` prompts of `prompt_tokens` new tokens each, after `cached_tokens` already in the KV
// cache (a later chunk of a chunked prefill). Logits only for each prompt's last token.
// New token i (0-based) attends to cached + i + 1 tokens: n*c + n(n+1)/2 pairs per prompt.
IterationShape prefill_shape(double prompts, double prompt_tokens, double cached_tokens = 0);
// One decode step of `sequences` sequences with `context_tokens` tokens already cached each.
IterationShape decode_shape(double sequences, double context_tokens);
// `steps` consecutive decode steps from `start_context` cached tokens, summed (whole-request
// totals): step j reads start+j cached tokens and attends to start+j+1.
IterationShape decode_run_shape(double sequences, double start_context, double steps);
// Training (teacher forcing): `sequences` of `tokens` each, logits for every position.
IterationShape training_shape(double sequences, double tokens);

// Inline (decode_run_shape first, decode_shape uses it): priced for every step of a decode run.
inline IterationShape decode_run_shape(double sequences, double start_context, double steps) {
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

inline IterationShape decode_shape(double sequences, double context_tokens) {
  return decode_run_shape(sequences, context_tokens, 1);
}

}  // namespace cs
