#include "sim/training/cluster_accounting.hpp"

#include <tuple>

namespace cs {

ClusterAccounting::ClusterAccounting(const Engine& engine, ClusterScheduler& scheduler)
    : engine_(engine), scheduler_(scheduler), last_(engine.now()) {
  scheduler.on_gpus_changing.connect([this] { integrate(); });
  scheduler.on_finishing.connect([this] {
    integrate();
    closed_ = true;
  });
  scheduler.on_failure.connect([this](int, bool, int) { ++node_failures_; });
}

std::pair<double, double> ClusterAccounting::integrals_at(Time now) const {
  if (closed_ || now <= last_) return {allocated_gpu_s_, in_service_gpu_s_};
  // The inventory has not changed since last_ (every change is announced before it happens).
  const double dt = (now - last_).seconds();
  const ClusterInventory& inventory = scheduler_.inventory();
  return {allocated_gpu_s_ + inventory.allocated_gpu_shares() * dt,
          in_service_gpu_s_ + static_cast<double>(inventory.in_service_gpus()) * dt};
}

void ClusterAccounting::integrate() {
  const Time now = engine_.now();
  if (closed_ || now <= last_) return;
  std::tie(allocated_gpu_s_, in_service_gpu_s_) = integrals_at(now);
  last_ = now;
}

ClusterTotals ClusterAccounting::totals() const {
  ClusterTotals t;
  double completion = 0;
  double queue = 0;
  double held = 0;
  const std::uint64_t jobs = scheduler_.job_count();
  for (std::uint64_t id = 1; id <= jobs; ++id) {
    const ClusterJobRecord r = scheduler_.record(id);
    ++t.submitted;
    switch (r.status) {
      case ClusterJobStatus::kFinished:
        ++t.finished;
        break;
      case ClusterJobStatus::kWaiting:
        ++t.waiting;
        break;
      case ClusterJobStatus::kRunning:
        ++t.running;
        break;
      case ClusterJobStatus::kNeverFits:
        ++t.never_fits;
        break;
    }
    t.failures += static_cast<std::uint64_t>(r.failures);
    t.preemptions += static_cast<std::uint64_t>(r.preemptions);
    t.restarts += static_cast<std::uint64_t>(r.restarts);
    if (r.status == ClusterJobStatus::kFinished) {
      completion += (*r.end - r.submit).seconds();
      queue += r.queue_s;
    }
    // A job's GPUs by share: a fraction of one GPU counts as that fraction.
    const double w = static_cast<double>(r.gpus) * r.gpu_milli / ClusterInventory::kMilliPerGpu;
    t.useful_gpu_s += w * r.useful_work_s;
    t.lost_gpu_s += w * r.lost_work_s;
    t.checkpoint_gpu_s += w * r.checkpoint_s;
    t.restart_gpu_s += w * r.restart_s;
    held += w * r.held_s;
  }
  t.node_failures = node_failures_;
  t.loans_revoked = scheduler_.loans_revoked();
  if (t.finished > 0) {
    t.mean_completion_s = completion / static_cast<double>(t.finished);
    t.mean_queue_s = queue / static_cast<double>(t.finished);
  }
  t.goodput = held > 0 ? t.useful_gpu_s / held : 0.0;
  std::tie(t.allocated_gpu_s, t.in_service_gpu_s) = integrals_at(engine_.now());
  t.gpu_utilization = t.in_service_gpu_s > 0 ? t.allocated_gpu_s / t.in_service_gpu_s : 0.0;
  return t;
}

}  // namespace cs
