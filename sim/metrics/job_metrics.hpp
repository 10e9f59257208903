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
#include "sim/training/cluster_accounting.hpp"
#include "sim/training/cluster_scheduler.hpp"
#include "sim/training/network_speed_model.hpp"
#include "sim/training/training_job_spec.hpp"

namespace cs {

// Throughput of a model job at a given iteration time, by the formulas TrainingIterationModel
// uses (sim/training/training_iteration.hpp): Megatron-LM's hardware FLOPs per GPU (the
// recomputed forward counted, as Narayanan et al. SC'21 report it) and PaLM-style MFU (model
// FLOPs of 3 forward passes per token over the dense peak).
struct TrainingRates {
  double iteration_s = 0;
  double tokens_per_s = 0;
  double tflops_per_gpu = 0;
  double mfu = 0;
  double days_for_budget = 0;  // token budget / tokens_per_s, never interrupted
};
TrainingRates training_rates(const TrainingJobSpec& job, double iteration_s);

class JobMetrics {
 public:
  // `model_jobs`: the model-driven jobs of the scenario, for one iteration-time series each
  // (at most kIterationSeries; they are matched by name as they are submitted).
  // `accounting`: the scheduler's (for goodput and the run totals).
  JobMetrics(ClusterScheduler& scheduler, const ClusterAccounting& accounting, TimelineSampler& sampler,
             ColumnarWriter* table, const std::vector<const TrainingJobSpec*>& model_jobs, double usd_per_gpu_hour);
  JobMetrics(const JobMetrics&) = delete;
  JobMetrics& operator=(const JobMetrics&) = delete;
  static constexpr std::size_t kIterationSeries = 8;
  static constexpr std::size_t kNameBytes = 64;  // /jobs name column
  static std::vector<ColumnSpec> table_columns();
  // The /summary keys and timeline series it writes; link_output_keys(): those of watch_links.
  static const OutputKeyTable& output_keys();
  static const OutputKeyTable& link_output_keys();

  // Job `id` was just submitted with this spec (null training: fixed work) and price.
  void job_submitted(std::uint64_t id, const TrainingJobSpec* training, double usd_per_gpu_hour);
  // Per-link utilization timelines of the running model jobs' DP and PP traffic (time-average bytes/s
  // of each job: carried bytes per iteration on each link / iteration time, see NetworkSpeedModel):
  // `link_util_<kind>` (all links of the kind / their achievable capacity) for every link kind
  // of the topology, and `link_util_top<i>` (the i-th busiest link at the sample instant,
  // whichever it is) for i < top. Gauges at the sample instant, the names NetworkMetrics uses.
  void watch_links(NetworkSpeedModel& speed, TimelineSampler& sampler, std::size_t top);
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
  void sample_links();

  ClusterScheduler& scheduler_;
  const ClusterAccounting& accounting_;
  ColumnarWriter* table_;
  double usd_per_gpu_hour_;
  std::vector<ModelJob> model_jobs_;
  std::unordered_map<std::uint64_t, std::size_t> model_index_;  // job id -> model_jobs_
  std::unordered_map<std::uint64_t, double> price_;             // job id -> $/GPU-hour where it differs
  std::uint64_t failures_ = 0, failures_at_sample_ = 0;
  double job_cost_usd_ = 0;
  double sum_gpus_ = 0;  // over jobs with GPUs, for the mean size
  std::uint64_t rows_ = 0;
  std::vector<double> row_;
  NetworkSpeedModel* speed_ = nullptr;
  NetworkSpeedModel::LinkLoad link_load_;  // at the latest sample instant
  std::size_t top_links_ = 0;
};

}  // namespace cs
