#include "workloads/empirical_lengths.hpp"

#include <stdexcept>

namespace cs {

EmpiricalLengths::EmpiricalLengths(std::vector<TokenLengths> pairs) : pairs_(std::move(pairs)) {
  if (pairs_.empty()) throw std::invalid_argument("no token lengths to resample from");
}

EmpiricalLengths EmpiricalLengths::from_source(RequestSource& source) {
  std::vector<TokenLengths> pairs;
  while (auto r = source.next()) pairs.push_back({r->input_tokens, r->output_tokens});
  return EmpiricalLengths(std::move(pairs));
}

}  // namespace cs
