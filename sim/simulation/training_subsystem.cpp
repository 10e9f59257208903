// `cluster:` + `training:` / `jobs:`: the training cluster (TrainingSystem) and its listeners:
// the job metrics (/jobs, the cluster timelines and summary) and, with the cluster's `gpu:`,
// its energy and cost. Beside serving pools it lends them its GPUs (co-location).
#include <memory>

#include "sim/metrics/job_metrics.hpp"
#include "sim/metrics/training_energy_metrics.hpp"
#include "sim/simulation/serving_cluster.hpp"
#include "sim/simulation/subsystem.hpp"
#include "sim/simulation/training_system.hpp"

namespace cs {

namespace {

// Link series drawn for the jobs' traffic: the busiest links at each sample.
constexpr std::size_t kTopLinks = 4;

class TrainingSubsystem final : public Subsystem {
 public:
  explicit TrainingSubsystem(SubsystemContext& ctx) : system_(ctx.engine, *ctx.scenario.training, ctx.fabric) {
    const TrainingClusterSpec& spec = *ctx.scenario.training;
    metrics_ = std::make_unique<JobMetrics>(system_.scheduler(), system_.accounting(), ctx.sampler,
                                            &ctx.out.table("jobs", JobMetrics::table_columns()),
                                            system_.model_jobs(), spec.usd_per_gpu_hour);
    system_.on_job_submitted.connect(
        [metrics = metrics_.get()](std::uint64_t id, const TrainingJobSpec* job, double usd_per_gpu_hour) {
          metrics->job_submitted(id, job, usd_per_gpu_hour);
        });
    if (spec.gpu)
      energy_ = std::make_unique<TrainingEnergyMetrics>(ctx.engine, system_.scheduler(), *spec.gpu, spec.billing,
                                                        ctx.sampler);
    // Co-location: every serving pool's replicas borrow the cluster's GPUs.
    if (ctx.serving) ctx.serving->borrow_from(system_);
    // The jobs' per-link DP traffic, under the link_util_* names collective jobs' listener uses
    // where there are collective jobs (it draws the links then).
    if (system_.network_speed() && !ctx.collectives)
      metrics_->watch_links(*system_.network_speed(), ctx.sampler, kTopLinks);
    ctx.training = &system_;
  }
  void start(Time horizon) override { system_.start(horizon); }
  void finish() override { system_.finish(); }
  void write_summary(RunFile& out, Time end) override {
    metrics_->write_summary(out, end);
    if (energy_) energy_->write_summary(out, end);
    if (system_.spec().spot_reclaims_per_node_s > 0)
      out.summary("spot_reclaims", static_cast<std::int64_t>(system_.spot_reclaims()));
    if (const JobSource* trace = system_.trace())
      out.summary("job_trace_rows_skipped", static_cast<std::int64_t>(trace->skipped_rows()));
  }

 private:
  TrainingSystem system_;
  std::unique_ptr<JobMetrics> metrics_;
  std::unique_ptr<TrainingEnergyMetrics> energy_;  // with the cluster's `gpu:`
};

}  // namespace

std::unique_ptr<Subsystem> build_training_subsystem(SubsystemContext& ctx) {
  if (!ctx.scenario.training) return nullptr;
  return std::make_unique<TrainingSubsystem>(ctx);
}

}  // namespace cs
