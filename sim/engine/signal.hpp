#pragma once
// Observer hook: models emit, listeners (metrics, cost, output) subscribe. Listeners run in
// the order they connected, so recorded output never depends on registration races.
#include <functional>
#include <vector>

namespace cs {

template <typename... Args>
class Signal {
 public:
  using Slot = std::function<void(Args...)>;
  void connect(Slot slot) { slots_.push_back(std::move(slot)); }
  void emit(const Args&... args) const {
    for (const auto& s : slots_) s(args...);
  }
  bool connected() const { return !slots_.empty(); }

 private:
  std::vector<Slot> slots_;
};

}  // namespace cs
