#include "sim/metrics/job_metrics.hpp"

#include <cmath>
#include <limits>

#include "sim/llm/transformer_cost.hpp"
#include "sim/training/training_iteration.hpp"

namespace cs {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double or_nan(const std::optional<Time>& t) {
  return t ? t->seconds() : kNaN;
}

// Per `training` job: "training_" (one job) or "training<i>_" (several).
constexpr OutputKey kSummary[] = {
    {"cluster_gpus", "1", "GPUs of the cluster"},
    {"cluster_nodes", "1", "nodes of the cluster"},
    {"cluster_policy", "text", "the scheduler's queue policy"},
    {"cluster_placement", "text", "the scheduler's placement"},
    {"jobs_submitted", "1", "jobs submitted = finished + unfinished"},
    {"jobs_finished", "1", "jobs finished (never-fitting ones included)"},
    {"jobs_unfinished", "1", "jobs waiting or running at the end"},
    {"jobs_waiting_at_end", "1", "jobs in the queue at the end"},
    {"jobs_running_at_end", "1", "jobs holding GPUs at the end"},
    {"jobs_never_fit", "1", "jobs larger than the cluster"},
    {"jobs_table_rows", "1", "rows written to /jobs"},
    {"job_completion_mean_s", "s", "mean end - submit of finished jobs"},
    {"job_queue_mean_s", "s", "mean time in the queue of finished jobs"},
    {"cluster_utilization", "1", "GPU-seconds allocated (lent ones included) / GPU-seconds in service"},
    {"cluster_goodput", "1", "GPU-weighted useful work / time holding GPUs"},
    {"job_interruptions_by_failure", "1", "job runs cut by node failures"},
    {"node_failures", "1", "node failures"},
    {"gpu_loans_revoked", "1", "loans to serving ended by a node failure"},
    {"job_preemptions", "1", "jobs preempted by higher-priority ones"},
    {"job_restarts", "1", "job restarts after a failure or preemption"},
    {"useful_gpu_hours", "h", "GPU-hours of work kept"},
    {"lost_gpu_hours", "h", "GPU-hours of work lost since the last checkpoint"},
    {"checkpoint_gpu_hours", "h", "GPU-hours spent writing checkpoints"},
    {"restart_gpu_hours", "h", "GPU-hours spent restarting"},
    {"cluster_cost_usd", "USD", "all GPUs x run time x cluster.price"},
    {"jobs_cost_usd", "USD", "sum of the /jobs cost_usd column"},
    {"training<i>_job", "text", "the training job's name"},
    {"training<i>_model", "text", "its model"},
    {"training<i>_gpus", "1", "its GPUs"},
    {"training<i>_gpu", "text", "its GPU"},
    {"training<i>_status", "text", "'never ran' for a job that never started"},
    {"training<i>_iteration_s", "s", "the latest iteration time the model gave"},
    {"training<i>_iteration_mean_s", "s", "working time / iterations executed over the run"},
    {"training<i>_iteration_compute_s", "s", "compute share of iteration_s"},
    {"training<i>_iteration_bubble_s", "s", "pipeline bubble share of iteration_s"},
    {"training<i>_iteration_tp_comm_s", "s", "tensor-parallel communication share of iteration_s"},
    {"training<i>_iteration_pp_comm_s", "s", "pipeline hand-off share of iteration_s"},
    {"training<i>_iteration_dp_comm_exposed_s", "s", "data-parallel communication not hidden behind compute"},
    {"training<i>_iteration_optimizer_s", "s", "optimizer step share of iteration_s"},
    {"training<i>_tokens_per_s", "1/s", "tokens trained per second"},
    {"training<i>_tflops_per_gpu", "TFLOP/s", "Megatron-LM hardware FLOPs per GPU per second"},
    {"training<i>_tflops_formula", "text", "the formula of tflops_per_gpu"},
    {"training<i>_mfu", "1", "model FLOPs / (iteration time x GPUs x dense peak)"},
    {"training<i>_mfu_formula", "text", "the formula of mfu"},
    {"training<i>_days_for_budget", "d", "token budget at tokens_per_s, never interrupted"},
    {"training<i>_goodput", "1", "the job's useful work / time holding GPUs in this run"},
    {"training<i>_days_for_budget_at_goodput", "d", "days_for_budget / goodput"},
    {"training<i>_cost_for_budget_usd", "USD", "days_for_budget x GPUs x its price"},
    {"training<i>_token_budget", "1", "tokens the job is to train on"},
    {"training<i>_iterations_done", "1", "iterations executed over the run"},
};
constexpr OutputKey kSeries[] = {
    {"gpus_allocated", "1", "GPUs held by training and trace jobs"},
    {"gpus_free", "1", "whole free GPUs on nodes in service"},
    {"gpus_down", "1", "GPUs on failed nodes being repaired"},
    {"gpus_lent", "1", "GPUs lent to serving (co-location)"},
    {"jobs_waiting", "1", "jobs in the scheduler's queue"},
    {"jobs_running", "1", "jobs holding GPUs"},
    {"fragmentation", "1", "free GPUs on partly used nodes / free GPUs (0 when none is free)"},
    {"failures", "1", "job interruptions by node failures in the last interval"},
    {"goodput_cumulative", "1", "since the start: GPU-weighted useful work / GPU time held by jobs"},
    {"iteration_s_job<i>", "s", "iteration time of the i-th training job, first 8 (NaN while not running)"},
};
// watch_links: under the names collective jobs use when there are none.
constexpr OutputKey kLinkSeries[] = {
    {"link_util_<kind>", "1",
     "running training jobs' DP and PP traffic on all links of the kind (bytes per iteration / iteration time) / their "
     "achievable capacity"},
    {"link_util_top<i>", "1", "utilization of the i-th busiest link by running training jobs' DP and PP traffic at the instant"},
};

}  // namespace

const OutputKeyTable& JobMetrics::output_keys() {
  static constexpr OutputKeyTable kTable{"training cluster", kSummary, kSeries};
  return kTable;
}

const OutputKeyTable& JobMetrics::link_output_keys() {
  static constexpr OutputKeyTable kTable{"training link load", {}, kLinkSeries};
  return kTable;
}

TrainingRates training_rates(const TrainingJobSpec& job, double iteration_s) {
  TrainingRates r;
  if (!(iteration_s > 0)) return r;
  r.iteration_s = iteration_s;
  const double gpus = job.parallel.gpus();
  r.tokens_per_s = job.tokens_per_iteration() / iteration_s;
  r.tflops_per_gpu = megatron_flops_per_iteration(job) / (iteration_s * gpus) / 1e12;
  const double peak = job.gpu.peak_flops(job.precision.compute);
  const double model_flops = training_flops(job.model, job.tokens_per_iteration(), job.sequence_length, false);
  r.mfu = model_flops / (iteration_s * gpus * peak);
  r.days_for_budget = job.token_budget / r.tokens_per_s / 86400.0;
  return r;
}

std::vector<ColumnSpec> JobMetrics::table_columns() {
  return {
      {"id", "1", ColumnType::kInt64, "job number in submission order (1, 2, ...)"},
      {"name", "", ColumnType::kString,
       "trace pod name or training job name (UTF-8, nul-padded; cut at 64 bytes: see truncated_values)", kNameBytes},
      {"model", "1", ColumnType::kInt64, "1: a training job timed by the iteration model; 0: fixed work (trace)"},
      {"submit_s", "s", ColumnType::kFloat64, "submitted"},
      {"start_s", "s", ColumnType::kFloat64, "first start (NaN: never started)"},
      {"end_s", "s", ColumnType::kFloat64, "finished or rejected (NaN: unfinished at the horizon)"},
      {"gpus", "1", ColumnType::kInt64, "GPUs asked for"},
      {"gpu_milli", "1", ColumnType::kInt64, "share of each GPU in thousandths (< 1000: a GPU-sharing pod)"},
      {"priority", "1", ColumnType::kInt64, "scheduling priority (larger first)"},
      {"status", "1", ColumnType::kInt64, "0 waiting, 1 running (unfinished at the horizon), 2 finished, 3 never fits",
       64, {{0, "waiting"}, {1, "running"}, {2, "finished"}, {3, "never_fits"}}},
      {"iteration_s", "s", ColumnType::kFloat64, "model jobs: mean time of an iteration executed (NaN otherwise)"},
      {"mfu", "1", ColumnType::kFloat64, "model jobs: model FLOPs utilization at that iteration time (6 N per token)"},
      {"tokens_per_s", "1/s", ColumnType::kFloat64, "model jobs: training tokens per second while running"},
      {"iterations", "1", ColumnType::kFloat64, "model jobs: iterations whose work counts"},
      {"restarts", "1", ColumnType::kInt64, "starts after the first"},
      {"preemptions", "1", ColumnType::kInt64, "times evicted by priority or by serving"},
      {"failures", "1", ColumnType::kInt64, "node failures that interrupted it"},
      {"lost_work_s", "s", ColumnType::kFloat64, "working time thrown away (since the last checkpoint)"},
      {"useful_work_s", "s", ColumnType::kFloat64, "working time that counts"},
      {"checkpoint_s", "s", ColumnType::kFloat64, "time paused writing checkpoints"},
      {"restart_s", "s", ColumnType::kFloat64, "restart overhead paid"},
      {"queue_s", "s", ColumnType::kFloat64, "time waiting in the queue, all waits"},
      {"goodput", "1", ColumnType::kFloat64, "useful work / time holding GPUs"},
      {"nodes", "1", ColumnType::kInt64, "nodes of its last placement"},
      {"leaves", "1", ColumnType::kInt64, "leaf switches of its last placement"},
      {"cost_usd", "USD", ColumnType::kFloat64, "GPU-hours held x its price per GPU-hour"}};
}

JobMetrics::JobMetrics(ClusterScheduler& scheduler, const ClusterAccounting& accounting, TimelineSampler& sampler,
                       ColumnarWriter* table, const std::vector<const TrainingJobSpec*>& model_jobs,
                       double usd_per_gpu_hour)
    : scheduler_(scheduler), accounting_(accounting), table_(table), usd_per_gpu_hour_(usd_per_gpu_hour), row_(table_columns().size() - 1) {
  for (const TrainingJobSpec* spec : model_jobs) {
    ModelJob m;
    m.spec = spec;
    model_jobs_.push_back(m);
  }
  ClusterScheduler& s = scheduler_;
  sampler.declare(output_keys());
  sampler.add_gauge({"gpus_allocated", "1", ColumnType::kFloat64, "GPUs held by training and trace jobs"},
                    [&s] { return static_cast<double>(s.allocated_gpus()); });
  sampler.add_gauge({"gpus_free", "1", ColumnType::kFloat64, "whole free GPUs on nodes in service"},
                    [&s] { return static_cast<double>(s.free_gpus()); });
  sampler.add_gauge({"gpus_down", "1", ColumnType::kFloat64, "GPUs on failed nodes being repaired"},
                    [&s] { return static_cast<double>(s.down_gpus()); });
  sampler.add_gauge({"gpus_lent", "1", ColumnType::kFloat64, "GPUs lent to serving (co-location)"},
                    [&s] { return static_cast<double>(s.lent_gpus()); });
  sampler.add_gauge({"jobs_waiting", "1", ColumnType::kFloat64, "jobs in the scheduler's queue"},
                    [&s] { return static_cast<double>(s.waiting_jobs()); });
  sampler.add_gauge({"jobs_running", "1", ColumnType::kFloat64, "jobs holding GPUs"},
                    [&s] { return static_cast<double>(s.running_jobs()); });
  sampler.add_gauge(
      {"fragmentation", "1", ColumnType::kFloat64, "free GPUs on partly used nodes / free GPUs (0 when none is free)"},
      [&s] { return s.fragmentation(); });
  sampler.add_gauge({"failures", "1", ColumnType::kFloat64, "job interruptions by node failures in the last interval"},
                    [this] {
                      const std::uint64_t n = failures_ - failures_at_sample_;
                      failures_at_sample_ = failures_;
                      return static_cast<double>(n);
                    });
  sampler.add_gauge({"goodput_cumulative", "1", ColumnType::kFloat64,
                     "since the start: GPU-weighted useful work / GPU time held by jobs"},
                    [this] { return accounting_.totals().goodput; });
  for (std::size_t i = 0; i < model_jobs_.size() && i < kIterationSeries; ++i)
    sampler.add_gauge({"iteration_s_job" + std::to_string(i), "s", ColumnType::kFloat64,
                       "iteration time of training job '" + model_jobs_[i].spec->name + "' (NaN while not running)"},
                      [this, i] { return sample_iteration(i); });
  s.on_failure.connect([this](int, bool, int jobs) { failures_ += static_cast<std::uint64_t>(jobs); });
  s.on_job_started.connect([this](const ClusterJobRecord& r) {
    if (ModelJob* m = model_job(r.id)) {
      if (const IterationBreakdown* b = scheduler_.iteration_breakdown(r.id)) {
        m->last = *b;
        m->seen = true;
      }
    }
  });
  s.on_job_finished.connect([this](const ClusterJobRecord& r) { record(r); });
}

void JobMetrics::watch_links(NetworkSpeedModel& speed, TimelineSampler& sampler, std::size_t top) {
  speed_ = &speed;
  top_links_ = top;
  sampler.declare(link_output_keys());
  bool first = true;
  for (const LinkKind kind : speed.link_kinds()) {
    const std::string name(to_string(kind));
    // The first series of the instant prices the running set once for all the others.
    sampler.add_gauge({"link_util_" + name, "1", ColumnType::kFloat64,
                       "running training jobs' DP and PP traffic on all " + name +
                           " links (bytes per iteration / iteration time) / their achievable capacity"},
                      [this, kind, first] {
                        if (first) sample_links();
                        return link_load_.kind_utilization[static_cast<std::size_t>(kind)];
                      });
    first = false;
  }
  for (std::size_t i = 0; i < top; ++i)
    sampler.add_gauge({"link_util_top" + std::to_string(i), "1", ColumnType::kFloat64,
                       "utilization of the busiest link but " + std::to_string(i) +
                           " by running training jobs' DP and PP traffic at the instant (whichever link it is)"},
                      [this, i] { return i < link_load_.busiest.size() ? link_load_.busiest[i].second : 0.0; });
}

void JobMetrics::sample_links() {
  std::vector<double> iteration_s;
  const std::vector<RunningTrainingJob> running = scheduler_.running_training_jobs(&iteration_s);
  link_load_ = speed_->link_load(running, iteration_s, top_links_);
}

JobMetrics::ModelJob* JobMetrics::model_job(std::uint64_t id) {
  const auto it = model_index_.find(id);
  return it == model_index_.end() ? nullptr : &model_jobs_[it->second];
}

void JobMetrics::job_submitted(std::uint64_t id, const TrainingJobSpec* training, double usd_per_gpu_hour) {
  if (usd_per_gpu_hour != usd_per_gpu_hour_) price_[id] = usd_per_gpu_hour;
  if (!training) return;
  for (std::size_t i = 0; i < model_jobs_.size(); ++i)
    if (model_jobs_[i].spec == training && model_jobs_[i].id == 0) {
      model_jobs_[i].id = id;
      model_jobs_[i].usd_per_gpu_hour = usd_per_gpu_hour;
      model_index_[id] = i;
      return;
    }
}

double JobMetrics::sample_iteration(std::size_t i) {
  ModelJob& m = model_jobs_[i];
  if (m.id == 0 || m.done) return kNaN;
  const IterationBreakdown* b = scheduler_.iteration_breakdown(m.id);
  if (!b) return kNaN;
  m.last = *b;
  m.seen = true;
  return b->total_s();
}

void JobMetrics::record(const ClusterJobRecord& r) {
  const auto price_it = price_.find(r.id);
  const double price = price_it == price_.end() ? usd_per_gpu_hour_ : price_it->second;
  const double gpus = static_cast<double>(r.gpus) * r.gpu_milli / 1000.0;
  const double cost = r.held_s / 3600.0 * gpus * price;
  job_cost_usd_ += cost;
  sum_gpus_ += r.gpus;
  ++rows_;
  ModelJob* m = model_job(r.id);
  double iteration_s = kNaN, mfu = kNaN, tokens_per_s = kNaN;
  if (m) {
    if (!m->seen)
      if (const IterationBreakdown* b = scheduler_.iteration_breakdown(r.id)) {
        m->last = *b;
        m->seen = true;
      }
    const double it = r.mean_iteration_s > 0 ? r.mean_iteration_s : (m->seen ? m->last.total_s() : 0.0);
    if (it > 0) {
      const TrainingRates rates = training_rates(*m->spec, it);
      iteration_s = it;
      mfu = rates.mfu;
      tokens_per_s = rates.tokens_per_s;
    }
    m->record = r;
    m->record.mfu = std::isnan(mfu) ? 0.0 : mfu;
    m->done = true;
  }
  if (!table_) return;
  row_ = {static_cast<double>(r.id),
          m ? 1.0 : 0.0,
          r.submit.seconds(),
          or_nan(r.first_start),
          or_nan(r.end),
          static_cast<double>(r.gpus),
          static_cast<double>(r.gpu_milli),
          static_cast<double>(r.priority),
          static_cast<double>(r.status),
          iteration_s,
          mfu,
          tokens_per_s,
          m ? r.iterations_done : kNaN,
          static_cast<double>(r.restarts),
          static_cast<double>(r.preemptions),
          static_cast<double>(r.failures),
          r.lost_work_s,
          r.useful_work_s,
          r.checkpoint_s,
          r.restart_s,
          r.queue_s,
          r.goodput(),
          static_cast<double>(r.nodes_used),
          static_cast<double>(r.leaves_used),
          cost};
  table_->append(row_, {r.name});
}

void JobMetrics::write_summary(RunFile& out, Time end) {
  const ClusterTotals t = accounting_.totals();
  const ClusterInventory& inv = scheduler_.inventory();
  out.declare_summary(output_keys());
  out.summary("cluster_gpus", static_cast<std::int64_t>(inv.gpu_count()));
  out.summary("cluster_nodes", static_cast<std::int64_t>(inv.node_count()));
  out.summary("cluster_policy", std::string(to_string(scheduler_.spec().policy)));
  out.summary("cluster_placement", std::string(to_string(scheduler_.spec().placement)));
  out.summary("jobs_submitted", static_cast<std::int64_t>(t.submitted));
  out.summary("jobs_finished", static_cast<std::int64_t>(t.finished));
  out.summary("jobs_unfinished", static_cast<std::int64_t>(t.waiting + t.running));
  out.summary("jobs_waiting_at_end", static_cast<std::int64_t>(t.waiting));
  out.summary("jobs_running_at_end", static_cast<std::int64_t>(t.running));
  out.summary("jobs_never_fit", static_cast<std::int64_t>(t.never_fits));
  out.summary("jobs_table_rows", static_cast<std::int64_t>(rows_));
  out.summary("job_completion_mean_s", t.mean_completion_s);
  out.summary("job_queue_mean_s", t.mean_queue_s);
  out.summary("cluster_utilization", t.gpu_utilization);
  out.summary("cluster_goodput", t.goodput);
  out.summary("job_interruptions_by_failure", static_cast<std::int64_t>(t.failures));
  out.summary("node_failures", static_cast<std::int64_t>(t.node_failures));
  out.summary("gpu_loans_revoked", static_cast<std::int64_t>(t.loans_revoked));
  out.summary("job_preemptions", static_cast<std::int64_t>(t.preemptions));
  out.summary("job_restarts", static_cast<std::int64_t>(t.restarts));
  out.summary("useful_gpu_hours", t.useful_gpu_s / 3600.0);
  out.summary("lost_gpu_hours", t.lost_gpu_s / 3600.0);
  out.summary("checkpoint_gpu_hours", t.checkpoint_gpu_s / 3600.0);
  out.summary("restart_gpu_hours", t.restart_gpu_s / 3600.0);
  out.summary("cluster_cost_usd", static_cast<double>(inv.gpu_count()) * end.seconds() / 3600.0 * usd_per_gpu_hour_);
  out.summary("jobs_cost_usd", job_cost_usd_);

  std::size_t n = 0;
  for (const ModelJob& m : model_jobs_) {
    if (m.id == 0) continue;
    const std::string p = model_jobs_.size() == 1 ? "training_" : "training" + std::to_string(n++) + "_";
    const TrainingJobSpec& j = *m.spec;
    out.summary(p + "job", j.name);
    out.summary(p + "model", j.model.name);
    out.summary(p + "gpus", static_cast<std::int64_t>(j.parallel.gpus()));
    out.summary(p + "gpu", j.gpu.name);
    if (!m.seen) {
      out.summary(p + "status", std::string("never ran"));
      continue;
    }
    const IterationBreakdown& b = m.last;
    const TrainingRates r = training_rates(j, b.total_s());
    out.summary(p + "iteration_s", b.total_s());
    // Working time / iterations executed over the run: differs from the latest iteration when
    // restarts placed the job elsewhere or other jobs came and went.
    if (m.done && m.record.mean_iteration_s > 0) out.summary(p + "iteration_mean_s", m.record.mean_iteration_s);
    out.summary(p + "iteration_compute_s", b.compute_s);
    out.summary(p + "iteration_bubble_s", b.bubble_s);
    out.summary(p + "iteration_tp_comm_s", b.tp_comm_s);
    out.summary(p + "iteration_pp_comm_s", b.pp_comm_s);
    out.summary(p + "iteration_dp_comm_exposed_s", b.dp_comm_exposed_s);
    out.summary(p + "iteration_optimizer_s", b.optimizer_s);
    out.summary(p + "tokens_per_s", r.tokens_per_s);
    out.summary(p + "tflops_per_gpu", r.tflops_per_gpu);
    out.summary(p + "tflops_formula",
                std::string(j.parallel.recompute_activations
                                ? "Megatron-LM (Narayanan et al. SC'21): 4 (24 B s l h^2 + 4 B s^2 l h) + 6 B s h V "
                                  "per iteration (full recomputation) / (iteration time x GPUs)"
                                : "Megatron-LM (Narayanan et al. SC'21): 3 (24 B s l h^2 + 4 B s^2 l h) + 6 B s h V "
                                  "per iteration (no recomputation) / (iteration time x GPUs)"));
    out.summary(p + "mfu", r.mfu);
    out.summary(p + "mfu_formula", std::string("model FLOPs (3 forward passes per token: 6 N + attention + LM head, "
                                               "recomputation not counted) / (iteration time x GPUs x dense peak)"));
    out.summary(p + "days_for_budget", r.days_for_budget);
    const double goodput = m.done ? m.record.goodput() : 0.0;
    out.summary(p + "goodput", goodput);
    if (goodput > 0) out.summary(p + "days_for_budget_at_goodput", r.days_for_budget / goodput);
    out.summary(p + "cost_for_budget_usd", r.days_for_budget * 24 * j.parallel.gpus() * m.usd_per_gpu_hour);
    out.summary(p + "token_budget", j.token_budget);
    out.summary(p + "iterations_done", m.record.iterations_done);
  }
}

}  // namespace cs
