#pragma once
// Every request a source still has, in the order it gives them: what a workload test compares.
#include <utility>
#include <vector>

#include "workloads/request_source.hpp"

namespace cs::test {

inline std::vector<InferenceRequest> drain(RequestSource& source) {
  std::vector<InferenceRequest> out;
  while (auto r = source.next()) out.push_back(std::move(*r));
  return out;
}

}  // namespace cs::test
