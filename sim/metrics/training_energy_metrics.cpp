#include "sim/metrics/training_energy_metrics.hpp"

#include <algorithm>

#include "sim/metrics/job_metrics.hpp"

namespace cs {

namespace {
constexpr double kJoulesPerKwh = 3.6e6;
}  // namespace

TrainingEnergyMetrics::TrainingEnergyMetrics(const Engine& engine, ClusterScheduler& scheduler, const GpuSpec& gpu,
                                             const BillingSpec& billing, TimelineSampler& sampler)
    : engine_(engine),
      scheduler_(scheduler),
      gpu_(gpu),
      billing_(billing),
      static_w_per_gpu_(gpu.idle_w + billing.host_power_w_per_gpu + billing.network_power_w_per_gpu),
      last_(engine.now()) {
  update();
  scheduler_.on_job_started.connect([this](const ClusterJobRecord&) { update(); });
  scheduler_.on_job_finished.connect([this](const ClusterJobRecord&) { update(); });
  scheduler_.on_job_preempted.connect([this](const ClusterJobRecord&) { update(); });
  scheduler_.on_failure.connect([this](int, bool, int) { update(); });
  sampler.add_gauge({"cluster.power_kw", "kW", ColumnType::kFloat64,
                     "training cluster's facility power: GPUs in service (idle to TDP by compute utilization), "
                     "host and network, x PUE"},
                    [this] {
                      update();
                      return power_w_ / 1000;
                    });
  sampler.add_gauge({"cluster.energy_kwh", "kWh", ColumnType::kFloat64, "training cluster's cumulative energy"},
                    [this] { return energy_j_ / kJoulesPerKwh; });
}

void TrainingEnergyMetrics::update() {
  const Time now = engine_.now();
  energy_j_ += power_w_ * (now - last_).seconds();
  last_ = now;
  const int in_service = scheduler_.inventory().gpu_count() - scheduler_.down_gpus() - scheduler_.lent_gpus();
  // Busy GPUs weighted by compute utilization: a timed model job at its hardware FLOP rate
  // over the dense peak, every other allocated GPU at 1.
  double busy = scheduler_.allocated_gpus();
  const std::vector<RunningTrainingJob> running = scheduler_.running_training_jobs(&iteration_s_);
  for (std::size_t i = 0; i < running.size(); ++i) {
    if (!(iteration_s_[i] > 0)) continue;
    const TrainingJobSpec& job = *running[i].spec;
    const double peak = gpu_.peak_flops(job.precision.compute);
    if (!(peak > 0)) continue;
    const double utilization = std::min(1.0, training_rates(job, iteration_s_[i]).tflops_per_gpu * 1e12 / peak);
    busy -= static_cast<double>(running[i].gpus.size()) * (1 - utilization);
  }
  power_w_ = billing_.pue * (static_w_per_gpu_ * in_service + (gpu_.tdp_w - gpu_.idle_w) * busy);
  peak_power_w_ = std::max(peak_power_w_, power_w_);
}

double TrainingEnergyMetrics::energy_j() {
  update();
  return energy_j_;
}

void TrainingEnergyMetrics::write_summary(RunFile& out, Time end) {
  const double j = energy_j();
  const double span = end.seconds();
  out.summary("cluster.energy_kwh", j / kJoulesPerKwh);
  out.summary("cluster.energy_usd", j / kJoulesPerKwh * billing_.usd_per_kwh);
  out.summary("cluster.avg_power_kw", span > 0 ? j / span / 1000 : 0.0);
  out.summary("cluster.peak_power_kw", peak_power_w_ / 1000);
}

}  // namespace cs
