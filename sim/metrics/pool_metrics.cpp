#include "sim/metrics/pool_metrics.hpp"

namespace cs {

namespace {
constexpr OutputKey kSummary[] = {
    {"jobs_arrived", "1", "jobs arrived over the run"},
    {"jobs_completed", "1", "jobs whose service ended"},
    {"jobs_in_service_at_end", "1", "jobs being served at the end (arrived = completed + in service + waiting)"},
    {"jobs_waiting_at_end", "1", "jobs in the queue at the end"},
    {"wait_mean_s", "s", "mean time in queue of served jobs"},
    {"wait_p50_s", "s", "median time in queue"},
    {"wait_p90_s", "s", "90th percentile time in queue"},
    {"wait_p99_s", "s", "99th percentile time in queue"},
    {"sojourn_mean_s", "s", "mean arrival-to-finish time of completed jobs"},
    {"sojourn_p50_s", "s", "median arrival-to-finish time"},
    {"sojourn_p99_s", "s", "99th percentile arrival-to-finish time"},
    {"utilization_mean", "1", "busy server-seconds / (servers x run time)"},
    {"cost_usd", "USD", "servers x price per server-hour x run time"},
};
constexpr OutputKey kSeries[] = {
    {"queue_depth", "1", "jobs waiting"},
    {"busy_servers", "1", "servers serving a job"},
    {"utilization", "1", "busy servers / servers"},
    {"arrivals_per_s", "1/s", "arrivals over the last interval"},
    {"completions_per_s", "1/s", "completions over the last interval"},
    {"cost_usd", "USD", "cumulative rental cost"},
};
}  // namespace

const OutputKeyTable& PoolMetrics::output_keys() {
  static constexpr OutputKeyTable kTable{"queueing pool", kSummary, kSeries};
  return kTable;
}

std::vector<ColumnSpec> PoolMetrics::table_columns() {
  return {{"id", "1", ColumnType::kInt64, "job number in arrival order"},
          {"arrival_s", "s", ColumnType::kFloat64, "arrival time"},
          {"start_s", "s", ColumnType::kFloat64, "service start"},
          {"finish_s", "s", ColumnType::kFloat64, "service end"},
          {"wait_s", "s", ColumnType::kFloat64, "time in queue"}};
}

PoolMetrics::PoolMetrics(const Engine& engine, ServerPool& pool, TimelineSampler& sampler, ColumnarWriter* table)
    : engine_(engine), pool_(pool), table_(table), row_(5) {
  const double servers = pool.spec().servers;
  sampler.declare(output_keys());
  sampler.add_gauge("queue_depth", [this] { return static_cast<double>(pool_.queue_depth()); });
  sampler.add_gauge("busy_servers", [this] { return static_cast<double>(pool_.busy_servers()); });
  sampler.add_gauge("utilization", [this, servers] { return pool_.busy_servers() / servers; });
  sampler.add_rate("arrivals_per_s", [this] { return static_cast<double>(pool_.arrived()); });
  sampler.add_rate("completions_per_s", [this] { return static_cast<double>(pool_.completed()); });
  sampler.add_gauge("cost_usd", [this] { return cost_usd(engine_.now()); });
  pool.on_job_done.connect([this](const JobRecord& job) {
    const double wait = (job.start - job.arrival).seconds();
    wait_.add(wait);
    sojourn_.add((job.finish - job.arrival).seconds());
    if (table_) {
      row_ = {static_cast<double>(job.id), job.arrival.seconds(), job.start.seconds(), job.finish.seconds(), wait};
      table_->append(row_);
    }
  });
}

double PoolMetrics::cost_usd(Time now) const {
  return pool_.spec().servers * pool_.spec().usd_per_server_hour * now.seconds() / 3600.0;
}

void PoolMetrics::write_summary(RunFile& out, Time end) const {
  const double servers = pool_.spec().servers;
  out.declare_summary(output_keys());
  out.summary("jobs_arrived", static_cast<std::int64_t>(pool_.arrived()));
  out.summary("jobs_completed", static_cast<std::int64_t>(pool_.completed()));
  out.summary("jobs_in_service_at_end", static_cast<std::int64_t>(pool_.busy_servers()));
  out.summary("jobs_waiting_at_end", static_cast<std::int64_t>(pool_.queue_depth()));
  out.summary("wait_mean_s", wait_.mean());
  out.summary("wait_p50_s", wait_.quantile(0.50));
  out.summary("wait_p90_s", wait_.quantile(0.90));
  out.summary("wait_p99_s", wait_.quantile(0.99));
  out.summary("sojourn_mean_s", sojourn_.mean());
  out.summary("sojourn_p50_s", sojourn_.quantile(0.50));
  out.summary("sojourn_p99_s", sojourn_.quantile(0.99));
  out.summary("utilization_mean", end.seconds() > 0 ? pool_.busy_server_seconds() / (servers * end.seconds()) : 0.0);
  out.summary("cost_usd", cost_usd(end));
}

}  // namespace cs
