#pragma once
// A source over requests already in memory: tests, and small hand-written workloads.
#include <algorithm>
#include <stdexcept>
#include <utility>
#include <vector>

#include "workloads/request_source.hpp"

namespace cs {

class VectorRequestSource final : public RequestSource {
 public:
  // Throws std::invalid_argument when the arrivals are not in order.
  explicit VectorRequestSource(std::vector<InferenceRequest> requests) : requests_(std::move(requests)) {
    const bool ordered = std::is_sorted(requests_.begin(), requests_.end(),
                                        [](const auto& a, const auto& b) { return a.arrival < b.arrival; });
    if (!ordered) throw std::invalid_argument("requests must be in arrival order");
  }
  std::optional<InferenceRequest> next() override {
    if (next_ >= requests_.size()) return std::nullopt;
    return requests_[next_++];
  }

 private:
  std::vector<InferenceRequest> requests_;
  std::size_t next_ = 0;
};

}  // namespace cs
