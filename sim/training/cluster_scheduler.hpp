#pragma once
// The cluster scheduler: jobs queue, get a gang of GPUs all at once, run (fixed work, or
// iterations timed by a JobSpeedModel), checkpoint, get interrupted by node failures and
// preemption, restart from their last checkpoint, and finish. Listeners (metrics) get one
// final record per submitted job.
//
// Policies (ClusterSchedulerSpec::policy):
//   fifo                 strict submission order; a blocked head blocks everyone (gang: a
//                        16-GPU job waits for 16 free GPUs, nothing overtakes it).
//   easy_backfill        submission order; the blocked head gets a reservation at the
//                        earliest time enough GPUs free up (from running jobs' expected ends:
//                        the scheduler knows their true remaining work, i.e. perfect user
//                        estimates, and ignores future failures); a later job may start now if
//                        it fits and either ends before that time or leaves the head's GPUs
//                        alone (for a single-node head: does not use the reserved node; for a
//                        multi-node head: uses no more than the GPUs spare at that time)
//                        (Lifka 1995; Mu'alem & Feitelson, IEEE TPDS 2001).
//   priority_preemptive  order by priority (then submission); a blocked head may evict
//                        preemptible running jobs of lower priority (lowest priority first,
//                        then the most recently started) when that frees enough GPUs; else it
//                        blocks the queue as in fifo.
//
// Co-location loans (borrow_gpus): free GPUs first; then preemptible jobs below the lender's
// priority are evicted, choosing the lowest priority, then a single job that frees enough
// GPUs on its own with the least work lost (GPUs x unsaved working time), else jobs in order
// of least work lost until enough are free. What the loan does not take stays free, and the
// next borrow takes it first (topology-aware best fit packs later replicas onto those nodes).
// A job evicted for a loan is held out of the queue until the lender has been quiet (no
// borrow, no return) for spec.preemption_backoff. A node failure ends every loan with a GPU on it (on_loan_revoked).
//
// Interruptions: a failed node interrupts every job holding a GPU on it; a preempted job is
// interrupted the same way. Either way the job loses the work since its last completed
// checkpoint (preemption gives no time to save: a checkpoint of a large model takes minutes,
// longer than eviction grace periods, so we model a kill), releases its GPUs, goes back to the
// queue keeping its original place (priority, submission time), and pays
// checkpoint.restart_overhead when it starts again.
//
// Goodput: per job, useful working time / time holding GPUs (ClusterJobRecord::goodput); for
// the cluster, the GPU-weighted sum: Σ gpus·useful_s / Σ gpus·held_s (ClusterTotals::goodput).
// Work in progress at the horizon counts as useful (it was not lost).
//
// Utilization: GPU-seconds allocated (jobs, by share, plus lent GPUs) / GPU-seconds in
// service (down and spare nodes excluded), from construction to now (or finish()).
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string_view>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/engine/signal.hpp"
#include "sim/training/cluster_inventory.hpp"
#include "sim/training/cluster_job.hpp"
#include "sim/training/failure_model.hpp"
#include "sim/training/job_placement.hpp"
#include "sim/training/job_speed_model.hpp"

namespace cs {

enum class SchedulingPolicy : std::uint8_t { kFifo, kEasyBackfill, kPriorityPreemptive };

std::string_view to_string(SchedulingPolicy p);

struct ClusterSchedulerSpec {
  SchedulingPolicy policy = SchedulingPolicy::kFifo;
  PlacementPolicy placement = PlacementPolicy::kTopologyAware;
  // Co-location: a job preempted to lend GPUs to serving waits until the lender has neither
  // borrowed nor returned GPUs for this long before it may start again (0: it may restart at
  // once). A gang job restarted the moment enough replicas drain is evicted again at the next
  // scale-up, paying a restart and losing its work each time; held off until serving has
  // settled, its free GPUs meanwhile absorb serving's scale-ups without an eviction (the
  // spirit of Kubernetes' restart back-off; an elastic job would instead shrink).
  Time preemption_backoff{};
};

// GPUs lent to another pool (serving during a spike); whole GPUs, node-major (borrowed in
// groups: group after group, each node-major, then any that span nodes).
struct GpuLoan {
  std::uint64_t id = 0;  // 0: nothing lent
  std::vector<GpuIndex> gpus;
};

// Run totals for /summary. Means are over finished jobs.
struct ClusterTotals {
  std::uint64_t submitted = 0;
  std::uint64_t finished = 0;
  std::uint64_t waiting = 0;  // at the horizon (after finish()) or now
  std::uint64_t running = 0;
  std::uint64_t never_fits = 0;
  std::uint64_t failures = 0;  // job interruptions by failures
  std::uint64_t node_failures = 0;
  std::uint64_t loans_revoked = 0;  // GPU loans ended by node failures
  std::uint64_t preemptions = 0;
  std::uint64_t restarts = 0;
  double mean_completion_s = 0;  // end - submit
  double mean_queue_s = 0;       // all waits of finished jobs
  double gpu_utilization = 0;
  double goodput = 0;
  double useful_gpu_s = 0;
  double lost_gpu_s = 0;
  double checkpoint_gpu_s = 0;
  double restart_gpu_s = 0;
  double allocated_gpu_s = 0;  // jobs (by share) + lent
  double in_service_gpu_s = 0;
};

class ClusterScheduler {
 public:
  // `speed` may be null; submitting a job with `training` then throws std::invalid_argument.
  ClusterScheduler(Engine& engine, ClusterInventory& inventory, const ClusterSchedulerSpec& spec, JobSpeedModel* speed);
  ~ClusterScheduler();
  ClusterScheduler(const ClusterScheduler&) = delete;
  ClusterScheduler& operator=(const ClusterScheduler&) = delete;

  // Submits at engine.now(); returns the job id (1, 2, ...). A job that can never fit is
  // recorded as never_fits and reported finished at once. Throws std::invalid_argument for
  // an inconsistent spec (both duration and training, gpu_milli out of range, sharing with
  // gpus != 1, training GPUs != gpus, training without a speed model).
  std::uint64_t submit(ClusterJobSpec spec);

  // Listens to the injector's node down/up signals.
  void attach(FailureInjector& failures);
  // What attach() connects; callable directly (scripted failures).
  void node_down(int node, bool gpu_fault);
  void node_up(int node);

  // Co-location: up to `count` whole GPUs for another pool, free ones first, then by
  // preempting preemptible running jobs of priority below `priority` (as the priority policy
  // does). May return fewer (even none); the caller gives back what it cannot use. With
  // `group` > 1 (a serving replica's TP size) the GPUs come in whole groups of `group` on one
  // node where free nodes allow; what cannot be had so spans nodes.
  GpuLoan borrow_gpus(int count, int priority, int group = 1);
  void return_gpus(std::uint64_t loan_id);
  // A loan ended by the cluster: a GPU of it is on a node that failed. Its GPUs are no longer
  // lent (the borrower must stop using them; return_gpus of it is not needed and throws).
  Signal<std::uint64_t /*loan id*/> on_loan_revoked;

  // At the horizon: accounts up to now and reports every unfinished job (waiting or running)
  // through on_job_finished with its status, so that each submitted job gets exactly one
  // final record. The scheduler does nothing afterwards.
  void finish();

  ClusterJobRecord record(std::uint64_t id) const;
  // The latest iteration breakdown of a running model job (null otherwise), for MFU.
  const IterationBreakdown* iteration_breakdown(std::uint64_t id) const;
  ClusterTotals totals() const;
  // Running model jobs in id order, with their current iteration time (0: not timed yet).
  // The spans point into the scheduler: valid until it next changes the running set.
  std::vector<RunningTrainingJob> running_training_jobs(std::vector<double>* iteration_s) const;

  // Gauges for timelines.
  int allocated_gpus() const { return inventory_.allocated_gpus() - lent_gpus_; }  // to jobs
  int free_gpus() const { return inventory_.free_whole_gpus(); }
  int down_gpus() const { return inventory_.down_gpus(); }
  int lent_gpus() const { return lent_gpus_; }
  // Queued jobs and jobs held off after a loan preemption.
  int waiting_jobs() const { return static_cast<int>(queue_.size() + held_.size()); }
  int running_jobs() const { return running_count_; }
  double fragmentation() const { return inventory_.fragmentation(); }

  const ClusterInventory& inventory() const { return inventory_; }
  const ClusterSchedulerSpec& spec() const { return spec_; }

  Signal<const ClusterJobRecord&> on_job_submitted;
  Signal<const ClusterJobRecord&> on_job_started;   // every start, restarts included
  Signal<const ClusterJobRecord&> on_job_finished;  // exactly once per job
  Signal<const ClusterJobRecord&> on_job_preempted;
  Signal<int /*node*/, bool /*gpu_fault*/, int /*jobs interrupted*/> on_failure;

 private:
  struct Job;
  struct QueueKey {
    int neg_priority;
    Time submit;
    std::uint64_t id;
    auto operator<=>(const QueueKey&) const = default;
  };
  struct Loan {
    std::uint64_t id;
    std::vector<GpuIndex> gpus;
  };

  Job& job(std::uint64_t id) { return *jobs_[id - 1]; }
  const Job& job(std::uint64_t id) const { return *jobs_[id - 1]; }
  QueueKey key_of(const Job& j) const;
  void enqueue(Job& j);
  void request_pass();
  void schedule_pass();
  void pass_in_order(bool preempt);
  void pass_easy_backfill();
  bool fits_now(const Job& j) const;
  bool try_start(Job& j, int exclude_node);
  void start(Job& j, Placement placement);
  bool try_preempt_for(Job& j);
  std::vector<std::uint64_t> preemption_victims(int below_priority) const;
  std::vector<std::uint64_t> loan_victims(int need, int below_priority) const;
  double unsaved_gpu_s(const Job& j) const;
  enum class Cause : std::uint8_t { kFailure, kPreemption, kLoan };
  void interrupt(Job& j, Cause cause);
  void release_held();
  void revoke_loans_on(int node);
  void advance(Job& j);
  void plan_next_event(Job& j);
  void on_job_event(std::uint64_t id);
  void complete(Job& j);
  void release_gpus(Job& j);
  void add_running(Job& j);
  void remove_running(Job& j);
  void retime_model_jobs();
  Time expected_end(const Job& j) const;
  Time expected_run_time(const Job& j) const;
  void account();
  ClusterJobRecord make_record(const Job& j) const;

  Engine& engine_;
  ClusterInventory& inventory_;
  ClusterSchedulerSpec spec_;
  JobSpeedModel* speed_;
  RandomStream* placement_random_;
  std::vector<std::unique_ptr<Job>> jobs_;  // by id - 1
  std::set<QueueKey> queue_;
  std::vector<std::uint64_t> running_;  // every job holding GPUs (or a CPU-only pod running)
  std::vector<std::vector<std::uint64_t>> jobs_on_node_;
  std::vector<Loan> loans_;
  std::vector<std::uint64_t> held_;  // evicted for a loan, waiting for the lender to be quiet
  std::optional<Time> last_lender_change_;
  bool hold_armed_ = false;
  std::uint64_t next_loan_id_ = 1;
  int lent_gpus_ = 0;
  int running_count_ = 0;
  int running_model_jobs_ = 0;
  bool pass_pending_ = false;
  bool model_set_changed_ = false;
  bool finished_ = false;
  Time last_account_;
  double allocated_gpu_s_ = 0;
  double in_service_gpu_s_ = 0;
  std::uint64_t node_failures_ = 0;
  std::uint64_t loans_revoked_ = 0;
};

}  // namespace cs
