#pragma once
// A G/G/c queue: jobs arrive by a renewal process, wait in one FIFO queue, and are served by
// the first free of c identical servers for a randomly drawn service time. It is the generic
// model of the default scenario and the reference against which queueing theory (Erlang C,
// Little's law) checks the engine; the GPU serving and training models replace it for real
// workloads.
#include <cstdint>
#include <deque>
#include <string>

#include "sim/engine/engine.hpp"
#include "sim/engine/spec_problem.hpp"
#include "sim/engine/signal.hpp"
#include "workloads/arrival_process.hpp"
#include "workloads/distribution.hpp"

namespace cs {

struct ServerPoolSpec {
  std::string name = "pool";
  ArrivalSpec arrivals;
  DistributionSpec service_time_s;  // seconds
  int servers = 1;
  double usd_per_server_hour = 0;
};

// Keys as under `queueing:` (the loader's refusal; the pool's constructor throws on the first).
SpecProblems validate(const ServerPoolSpec& spec);

struct JobRecord {
  std::uint64_t id = 0;
  Time arrival;
  Time start;   // service start
  Time finish;  // service end
};

class ServerPool {
 public:
  ServerPool(Engine& engine, const ServerPoolSpec& spec);
  ServerPool(const ServerPool&) = delete;
  ServerPool& operator=(const ServerPool&) = delete;

  // Generates arrivals from now until `arrivals_end` (jobs already queued still finish).
  void start(Time arrivals_end);

  Signal<const JobRecord&> on_job_done;

  const ServerPoolSpec& spec() const { return spec_; }
  std::size_t queue_depth() const { return queue_.size(); }
  int busy_servers() const { return busy_; }
  std::uint64_t arrived() const { return arrived_; }
  std::uint64_t completed() const { return completed_; }
  // Server-seconds of service finished so far plus those in progress up to now.
  double busy_server_seconds() const;

 private:
  void schedule_next_arrival();
  void arrive();
  void begin_service(std::uint64_t id, Time arrival);
  void finish_service(const JobRecord& job);

  Engine& engine_;
  ServerPoolSpec spec_;
  RandomStream& service_rng_;
  ArrivalProcess arrivals_;
  Time arrivals_end_;
  struct Waiting {
    std::uint64_t id;
    Time arrival;
  };
  std::deque<Waiting> queue_;
  int busy_ = 0;
  std::uint64_t arrived_ = 0;
  std::uint64_t completed_ = 0;
  // busy-time integral: busy_ns_done_ for finished intervals, plus busy_ × (now − since_).
  double busy_ns_accumulated_ = 0;
  Time busy_since_;
  void account_busy();
};

}  // namespace cs
