#pragma once
// GPU and node failures drawn from MTBFs, and repairs.
//
// Default rate, from the Llama 3 report (Dubey et al. 2024, "The Llama 3 Herd of Models",
// sec. 3.3.4): 419 unexpected interruptions in a 54-day snapshot of pre-training on 16,384
// H100 GPUs. Counting every interruption as a GPU-attributed failure:
//   GPU-hours = 16,384 x 54 d x 24 h = 21,233,664;  MTBF per GPU = 21,233,664 / 419 ≈ 50,677 h
// (about 5.8 years per GPU; an 8-GPU node then fails every ~6,335 h, and a 16,384-GPU job
// every ~3.1 h, as the report observed). The report attributes 78% of the interruptions to
// hardware (58.7% to GPUs and their HBM); the rest (host, network, software) are folded into
// the same per-GPU rate here, so node_mtbf_h defaults to off to avoid counting them twice.
//
// A failure takes its whole node out of service until repaired (the usual practice: the node
// is cordoned, drained and checked), so every job on the node is interrupted.
#include <cstdint>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/engine/signal.hpp"

namespace cs {

// 16,384 x 54 x 24 / 419 hours (see above).
inline constexpr double kLlama3GpuMtbfHours = 16384.0 * 54.0 * 24.0 / 419.0;

struct FailureSpec {
  double gpu_mtbf_h = kLlama3GpuMtbfHours;  // per GPU; 0: no GPU failures
  double node_mtbf_h = 0;                   // per node, for non-GPU faults; 0: none
  // Time a failed node is out of service. The Llama 3 report gives no repair figure; 4 h is an
  // assumption (reboot/diagnosis is minutes, a part swap hours), to be set per scenario.
  Time repair_time = Time::s(4 * 3600);
  // Idle nodes held back: one replaces a failed node at once, a repaired node refills the
  // pool. Not schedulable until used. (The inventory holds them; the injector does not care.)
  int spare_nodes = 0;
};

class FailureInjector {
 public:
  // Nodes 0..nodes-1 with `gpus_per_node` GPUs each. Nothing happens until start().
  FailureInjector(Engine& engine, FailureSpec spec, int nodes, int gpus_per_node);

  // Schedules the first failure. Failures come as one Poisson process over the nodes in
  // service (rate = up nodes x (gpus_per_node / gpu_mtbf + 1 / node_mtbf)), redrawn whenever
  // that set changes (memoryless, so redrawing is exact); the node is then drawn uniformly
  // among the up nodes and the fault is a GPU fault with probability gpu rate / node rate.
  // One event per failure, however many GPUs: O(1) each.
  void start();
  void stop();  // no more failures (repairs in progress still complete)

  // A failure now (tests, scripted scenarios); ignored if the node is already down.
  void fail_node(int node, bool gpu_fault);

  bool is_up(int node) const { return position_[static_cast<std::size_t>(node)] >= 0; }
  int down_nodes() const { return nodes_ - static_cast<int>(up_.size()); }
  std::uint64_t failures() const { return failures_; }
  const FailureSpec& spec() const { return spec_; }
  double node_failure_rate_per_s() const;  // one node's rate (GPU + node faults)

  Signal<int /*node*/, bool /*gpu_fault*/> on_node_down;
  Signal<int /*node*/> on_node_up;

 private:
  void schedule_next();
  void fire();
  void repair(int node);

  Engine& engine_;
  FailureSpec spec_;
  int nodes_;
  int gpus_per_node_;
  std::vector<int> up_;        // nodes in service, in no particular order
  std::vector<int> position_;  // index in up_, -1 when down
  EventHandle next_{};
  bool running_ = false;
  std::uint64_t failures_ = 0;
};

}  // namespace cs
