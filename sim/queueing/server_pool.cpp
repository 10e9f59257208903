#include "sim/queueing/server_pool.hpp"

#include <stdexcept>

#include "workloads/workload_spec_checks.hpp"

namespace cs {

SpecProblems validate(const ServerPoolSpec& spec) {
  SpecProblems out;
  append_under(out, "arrivals", validate(spec.arrivals));
  append_under(out, "service_time", validate(spec.service_time_s));
  if (spec.servers < 1) out.push_back({"servers", "a server pool needs at least one server"});
  return out;
}

ServerPool::ServerPool(Engine& engine, const ServerPoolSpec& spec)
    : engine_(engine),
      spec_(spec),
      service_rng_(engine.random("service:" + spec.name)),
      arrivals_(spec.arrivals, engine.random("arrivals:" + spec.name)) {
  require_valid(validate(spec), "queueing pool " + spec.name);
}

void ServerPool::start(Time arrivals_end) {
  arrivals_end_ = arrivals_end;
  busy_since_ = engine_.now();
  schedule_next_arrival();
}

void ServerPool::schedule_next_arrival() {
  const Time at = engine_.now() + arrivals_.next_gap();
  if (at > arrivals_end_) return;
  engine_.schedule_at(at, [this] { arrive(); });
}

void ServerPool::arrive() {
  const std::uint64_t id = arrived_++;
  if (busy_ < spec_.servers)
    begin_service(id, engine_.now());
  else
    queue_.push_back({id, engine_.now()});
  schedule_next_arrival();
}

void ServerPool::account_busy() {
  const Time now = engine_.now();
  busy_ns_accumulated_ += static_cast<double>(busy_) * static_cast<double>((now - busy_since_).count_ns());
  busy_since_ = now;
}

void ServerPool::begin_service(std::uint64_t id, Time arrival) {
  account_busy();
  ++busy_;
  const Time service = Time::from_seconds_ceil(draw(spec_.service_time_s, service_rng_));
  const JobRecord job{id, arrival, engine_.now(), engine_.now() + service};
  engine_.schedule_at(job.finish, [this, job] { finish_service(job); });
}

void ServerPool::finish_service(const JobRecord& job) {
  account_busy();
  --busy_;
  ++completed_;
  on_job_done.emit(job);
  if (!queue_.empty()) {
    const Waiting next = queue_.front();
    queue_.pop_front();
    begin_service(next.id, next.arrival);
  }
}

double ServerPool::busy_server_seconds() const {
  const double open = static_cast<double>(busy_) * static_cast<double>((engine_.now() - busy_since_).count_ns());
  return (busy_ns_accumulated_ + open) * 1e-9;
}

}  // namespace cs
