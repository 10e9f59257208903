#include "sim/serving/iteration_cost_model.hpp"

#include <cmath>
#include <stdexcept>

namespace cs {

void IterationCostModel::decode_run_times(std::int64_t sequences, std::int64_t context_tokens,
                                          std::span<Time> out) const {
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = iteration_time(BatchShape{{}, sequences, context_tokens + static_cast<std::int64_t>(i) * sequences});
}

LinearIterationCost::LinearIterationCost(const LinearIterationCostSpec& spec) : spec_(spec) {
  if (spec.base < Time{} || spec.per_prefill_token < Time{} || spec.per_decode_sequence < Time{} ||
      spec.per_context_token_ns < 0)
    throw std::invalid_argument("linear iteration cost coefficients must not be negative");
  if (spec.base == Time{} && spec.per_prefill_token == Time{} && spec.per_decode_sequence == Time{} &&
      spec.per_context_token_ns == 0)
    throw std::invalid_argument("linear iteration cost is zero for every batch");
}

Time LinearIterationCost::iteration_time(const BatchShape& batch) const {
  const double context_ns = std::ceil(spec_.per_context_token_ns * static_cast<double>(batch.decode_context_tokens));
  const Time t = spec_.base + spec_.per_prefill_token * batch.prefill_tokens() +
                 spec_.per_decode_sequence * batch.decode_sequences + Time::ns(static_cast<std::int64_t>(context_ns));
  return t > Time{} ? t : Time::ns(1);
}

}  // namespace cs
