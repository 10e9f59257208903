#pragma once
// Listens to a ClusterScheduler: one /jobs row per submitted job (written when its final
// record arrives), the cluster timelines (GPUs allocated / free / down / lent, jobs waiting and
// running, fragmentation, failures, cumulative goodput, the iteration time of model jobs), and
// the /summary of the cluster and of its model-driven training jobs. Never drives the model.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/io/run_file.hpp"
#include "sim/metrics/timeline_sampler.hpp"
#include "sim/training/cluster_scheduler.hpp"
#include "sim/training/training_job_spec.hpp"

namespace cs {

// Throughput of a model job at a given iteration time, by the published formulas.
struct TrainingRates {
  double iteration_s = 0;
  double tokens_per_s = 0;
  // Hardware FLOPs per GPU per second by Megatron-LM's count (Narayanan et al., SC'21, eq. 3):
  //   F = 24·B·s·l·h²·(1 + s/(6h) + V/(12·l·h)) per forward pass of the global batch, times 3
  //   for forward + backward, 4 with full activation recomputation (the logits layer is never
  //   recomputed: 3 + 1 passes of its 2·B·s·h·V are not counted twice).
  double tflops_per_gpu = 0;
  // Model FLOPs utilization (Chowdhery et al., PaLM 2022, app. B): 6·N FLOPs per token
  // (N = all parameters), over the GPUs' dense bf16 peak; recomputation is not counted.
  double mfu = 0;
  double days_for_budget = 0;  // token budget / tokens_per_s, never interrupted
};
TrainingRates training_rates(const TrainingJobSpec& job, double iteration_s);
// Megatron-LM hardware FLOPs of one iteration (see TrainingRates::tflops_per_gpu).
double megatron_iteration_flops(const TrainingJobSpec& job);

class JobMetrics {
 public:
  // `model_jobs`: the model-driven jobs of the scenario, for one iteration-time series each
  // (at most kIterationSeries; they are matched by name as they are submitted).
  JobMetrics(ClusterScheduler& scheduler, TimelineSampler& sampler, ColumnarWriter* table,
             const std::vector<const TrainingJobSpec*>& model_jobs, double usd_per_gpu_hour);
  JobMetrics(const JobMetrics&) = delete;
  JobMetrics& operator=(const JobMetrics&) = delete;
  static constexpr std::size_t kIterationSeries = 8;
  static std::vector<ColumnSpec> table_columns();

  // Job `id` was just submitted with this spec (null training: fixed work) and price.
  void job_submitted(std::uint64_t id, const TrainingJobSpec* training, double usd_per_gpu_hour);
  // After ClusterScheduler::finish(): every job has reported.
  void write_summary(RunFile& out, Time end);

 private:
  struct ModelJob {
    std::uint64_t id = 0;  // 0: not submitted yet
    const TrainingJobSpec* spec = nullptr;
    double usd_per_gpu_hour = 0;
    IterationBreakdown last;  // the latest seen while running
    bool seen = false;
    ClusterJobRecord record;
    bool done = false;
  };
  void record(const ClusterJobRecord& r);
  double sample_iteration(std::size_t i);
  ModelJob* model_job(std::uint64_t id);

  ClusterScheduler& scheduler_;
  ColumnarWriter* table_;
  double usd_per_gpu_hour_;
  std::vector<ModelJob> model_jobs_;
  std::unordered_map<std::uint64_t, std::size_t> model_index_;  // job id -> model_jobs_
  std::unordered_map<std::uint64_t, double> price_;              // job id -> $/GPU-hour where it differs
  std::uint64_t failures_ = 0, failures_at_sample_ = 0;
  double job_cost_usd_ = 0;
  double sum_gpus_ = 0;  // over jobs with GPUs, for the mean size
  std::uint64_t rows_ = 0;
  std::vector<double> row_;
};

}  // namespace cs
