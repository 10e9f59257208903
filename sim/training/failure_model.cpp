#include "sim/training/failure_model.hpp"

#include <stdexcept>

#include "sim/training/training_spec_checks.hpp"

namespace cs {

FailureInjector::FailureInjector(Engine& engine, FailureSpec spec, int nodes, int gpus_per_node)
    : engine_(engine), spec_(spec), nodes_(nodes), gpus_per_node_(gpus_per_node) {
  if (nodes < 0 || gpus_per_node < 0) throw std::invalid_argument("failure injector: negative node or GPU count");
  require_valid(validate(spec), "failure injector");
  up_.reserve(static_cast<std::size_t>(nodes));
  position_.resize(static_cast<std::size_t>(nodes));
  for (int n = 0; n < nodes; ++n) {
    position_[static_cast<std::size_t>(n)] = n;
    up_.push_back(n);
  }
}

double FailureInjector::node_failure_rate_per_s() const {
  double rate = 0;
  if (spec_.gpu_mtbf_h > 0) rate += gpus_per_node_ / (spec_.gpu_mtbf_h * 3600.0);
  if (spec_.node_mtbf_h > 0) rate += 1.0 / (spec_.node_mtbf_h * 3600.0);
  return rate;
}

void FailureInjector::start() {
  running_ = true;
  schedule_next();
}

void FailureInjector::stop() {
  running_ = false;
  engine_.cancel(next_);
}

void FailureInjector::schedule_next() {
  engine_.cancel(next_);
  if (!running_ || up_.empty()) return;
  const double rate = node_failure_rate_per_s() * static_cast<double>(up_.size());
  if (!(rate > 0)) return;
  const Time delay = Time::from_seconds_ceil(engine_.random("failures").exponential(rate));
  next_ = engine_.schedule_in(delay, [this] { fire(); });
}

void FailureInjector::fire() {
  auto& rng = engine_.random("failures");
  const int node = up_[rng.below(up_.size())];
  double gpu_rate = spec_.gpu_mtbf_h > 0 ? gpus_per_node_ / spec_.gpu_mtbf_h : 0.0;
  double node_rate = spec_.node_mtbf_h > 0 ? 1.0 / spec_.node_mtbf_h : 0.0;
  const bool gpu_fault = rng.uniform01() * (gpu_rate + node_rate) < gpu_rate;
  fail_node(node, gpu_fault);
}

void FailureInjector::fail_node(int node, bool gpu_fault) {
  if (node < 0 || node >= nodes_) throw std::out_of_range("failure injector: no such node");
  const int pos = position_[static_cast<std::size_t>(node)];
  if (pos < 0) return;
  // Swap-remove from the up list: O(1) and order-independent draws stay deterministic.
  const int last = up_.back();
  up_[static_cast<std::size_t>(pos)] = last;
  position_[static_cast<std::size_t>(last)] = pos;
  up_.pop_back();
  position_[static_cast<std::size_t>(node)] = -1;
  ++failures_;
  engine_.schedule_in(spec_.repair_time, [this, node] { repair(node); });
  schedule_next();
  on_node_down.emit(node, gpu_fault);
}

void FailureInjector::repair(int node) {
  position_[static_cast<std::size_t>(node)] = static_cast<int>(up_.size());
  up_.push_back(node);
  schedule_next();
  on_node_up.emit(node);
}

}  // namespace cs
