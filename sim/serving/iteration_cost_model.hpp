#pragma once
// The price of one scheduler iteration of a replica: the forward pass over everything batched
// in it. The replica only describes the batch; the transformer cost model (sim/llm, roofline
// plus the replica's TP/PP communication) turns it into time through an adapter implementing
// IterationCostModel, so sim/serving never depends on the hardware or model catalogs.
#include <cstdint>
#include <span>

#include "sim/engine/time.hpp"

namespace cs {

// Prefill of one sequence in this iteration: `tokens` new prompt tokens (a chunk when chunked
// prefill splits the prompt, or a recomputation after preemption) attending over themselves
// and over `cached_tokens` already in the KV cache from earlier chunks.
struct PrefillChunk {
  std::int64_t tokens = 0;
  std::int64_t cached_tokens = 0;
};

// Decode sequences are given as a count and the sum of their context lengths: each decoding
// sequence computes one token that attends over its cached context, so its attention FLOPs
// and KV bytes read are linear in that context and the batch cost depends on the sum alone.
// That lets the replica price a run of decode-only iterations in O(1) each (see
// ReplicaSpec::max_fused_decode_steps). Prefill attention is quadratic per sequence, so
// prefill chunks are listed one by one.
struct BatchShape {
  std::span<const PrefillChunk> prefills;
  std::int64_t decode_sequences = 0;
  std::int64_t decode_context_tokens = 0;  // Σ tokens in the KV cache over decoding sequences

  std::int64_t prefill_tokens() const {
    std::int64_t n = 0;
    for (const PrefillChunk& c : prefills) n += c.tokens;
    return n;
  }
  // Tokens computed in the iteration: what max_batched_tokens limits.
  std::int64_t batched_tokens() const { return prefill_tokens() + decode_sequences; }
};

// An iteration's wall time and the model FLOPs it executes (whole replica, counted on one
// unsharded copy of the model: what compute utilization / MFU divides by the peak).
struct IterationPrice {
  Time time;
  double flops = 0;
};

class IterationCostModel {
 public:
  virtual ~IterationCostModel() = default;
  // Wall time of one iteration over `batch` (never empty); must be positive.
  virtual Time iteration_time(const BatchShape& batch) const = 0;
  // Time and FLOPs together, priced once; models that do not count FLOPs report 0.
  virtual IterationPrice price(const BatchShape& batch) const { return {iteration_time(batch), 0.0}; }
  // Wall times of consecutive decode-only iterations of the same `sequences` (a fused decode
  // run): out[i] = iteration_time({{}, sequences, context_tokens + i·sequences}), each step's
  // sequences having one more token cached than in the step before. Priced one by one here;
  // a model overrides it to compute what the steps share once.
  virtual void decode_run_times(std::int64_t sequences, std::int64_t context_tokens, std::span<Time> out) const;
};

// A linear stand-in for the transformer cost model, for tests and for scenarios that give
// measured coefficients: base + per_prefill_token·Σchunk + per_decode_sequence·n
// + per_context_token·Σcontext. Coefficients in nanoseconds so that hand arithmetic is exact.
struct LinearIterationCostSpec {
  Time base;
  Time per_prefill_token;
  Time per_decode_sequence;
  double per_context_token_ns = 0;  // may be fractional: KV reads are ~0.1 ns per token on an H100
};

class LinearIterationCost final : public IterationCostModel {
 public:
  explicit LinearIterationCost(const LinearIterationCostSpec& spec);
  Time iteration_time(const BatchShape& batch) const override;

 private:
  LinearIterationCostSpec spec_;
};

}  // namespace cs
