#pragma once
// The cluster scheduler: jobs queue, get a gang of GPUs all at once, run (fixed work, or
// iterations timed by a JobSpeedModel), checkpoint, get interrupted by node failures and
// preemption, restart from their last checkpoint, and finish. Listeners (metrics) get one
// final record per submitted job.
//
// Which waiting job starts when is the QueuePolicy's (queue_policy.hpp: fifo, easy_backfill,
// priority_preemptive); a job's phases and their timing are its JobRun's (job_run.hpp); what
// is lent to serving is the LoanBook's (loan_book.hpp). The scheduler ties them to the engine,
// the inventory and the listeners.
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
// interrupted the same way (preemption gives no time to save: a checkpoint of a large model
// takes minutes, longer than eviction grace periods, so we model a kill). The job releases its
// GPUs and goes back to the queue keeping its original place (priority, submission time);
// its JobRun loses the work since the last checkpoint and owes a restart.
//
// Accounting: every change of the inventory (GPUs allocated, released, lent, down, up) is
// announced by on_gpus_changing just before it happens, and the horizon by on_finishing;
// ClusterAccounting (cluster_accounting.hpp) listens to them for GPU-seconds, utilization,
// goodput and the run totals.
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
#include "sim/training/job_run.hpp"
#include "sim/training/job_speed_model.hpp"
#include "sim/training/loan_book.hpp"
#include "sim/training/queue_policy.hpp"

namespace cs {

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

class ClusterScheduler : private SchedulerContext {
 public:
  // `speed` may be null; submitting a job with `training` then throws std::invalid_argument.
  ClusterScheduler(Engine& engine, ClusterInventory& inventory, const ClusterSchedulerSpec& spec, JobSpeedModel* speed);
  ~ClusterScheduler() override;
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
  // The loan's GPUs pass to `holder` (the serving replica they were lent for) in the GPU
  // ledger, until the loan is given back or revoked.
  void hand_over(std::uint64_t loan_id, GpuHolder holder);
  void return_gpus(std::uint64_t loan_id);
  // A loan ended by the cluster: a GPU of it is on a node that failed. Its GPUs are no longer
  // lent (the borrower must stop using them; return_gpus of it is not needed and throws).
  Signal<std::uint64_t /*loan id*/> on_loan_revoked;

  // At the horizon: announces on_finishing, then reports every unfinished job (waiting or
  // running) through on_job_finished with its status, so that each submitted job gets exactly one
  // final record. The scheduler does nothing afterwards.
  void finish();

  ClusterJobRecord record(std::uint64_t id) const;
  // Jobs submitted so far (ids 1..job_count()).
  std::uint64_t job_count() const { return jobs_.size(); }
  // The latest iteration breakdown of a running model job (null otherwise), for MFU.
  const IterationBreakdown* iteration_breakdown(std::uint64_t id) const;
  // Running model jobs in id order, with their current iteration time (0: not timed yet).
  // The spans point into the scheduler: valid until it next changes the running set.
  std::vector<RunningTrainingJob> running_training_jobs(std::vector<double>* iteration_s) const;

  // Gauges for timelines.
  int allocated_gpus() const { return inventory_.allocated_gpus() - loans_.lent_gpus(); }  // to jobs
  int free_gpus() const { return inventory_.free_whole_gpus(); }
  int down_gpus() const { return inventory_.down_gpus(); }
  int lent_gpus() const { return loans_.lent_gpus(); }
  std::uint64_t loans_revoked() const { return loans_.revoked(); }
  // Queued jobs and jobs held off after a loan preemption.
  int waiting_jobs() const { return static_cast<int>(queue_.size() + loans_.held_jobs()); }
  int running_jobs() const { return running_count_; }
  double fragmentation() const { return inventory_.fragmentation(); }

  const ClusterInventory& inventory() const override { return inventory_; }
  const ClusterSchedulerSpec& spec() const { return spec_; }

  Signal<const ClusterJobRecord&> on_job_submitted;
  Signal<const ClusterJobRecord&> on_job_started;   // every start, restarts included
  Signal<const ClusterJobRecord&> on_job_finished;  // exactly once per job
  Signal<const ClusterJobRecord&> on_job_preempted;
  Signal<int /*node*/, bool /*gpu_fault*/, int /*jobs interrupted*/> on_failure;
  // Just before the inventory may change at this instant (the GPUs held so far were held
  // until now), and once at finish(), before any final record: the accounting's instants.
  Signal<> on_gpus_changing;
  Signal<> on_finishing;

 private:
  struct Job;
  Job& job(std::uint64_t id) { return *jobs_[id - 1]; }
  const Job& job(std::uint64_t id) const { return *jobs_[id - 1]; }
  void enqueue(Job& j);
  void request_pass();
  void schedule_pass();
  bool fits_now(const Job& j) const;
  void start(Job& j, Placement placement);
  std::vector<std::uint64_t> loan_victims(int need, int below_priority) const;
  enum class Cause : std::uint8_t { kFailure, kPreemption, kLoan };
  void interrupt(Job& j, Cause cause);
  void release_held();
  void revoke_loans_on(int node);
  void note(Job& j, const PhaseStretch& s);
  void plan_next_event(Job& j);
  void on_job_event(std::uint64_t id);
  void complete(Job& j);
  void release_gpus(Job& j);
  void add_running(Job& j);
  void remove_running(Job& j);
  void retime_model_jobs();
  ClusterJobRecord make_record(const Job& j) const;

  // SchedulerContext: what the queue policy sees.
  Time now() const override { return engine_.now(); }
  const ClusterJobSpec& spec_of(std::uint64_t id) const override;
  std::span<const std::uint64_t> running_ids() const override { return running_; }
  std::span<const GpuIndex> gpus_of(std::uint64_t id) const override;
  std::span<const int> nodes_of(std::uint64_t id) const override;
  Time started_at(std::uint64_t id) const override;
  bool try_start(std::uint64_t id, int exclude_node) override;
  void retime_running() override;
  std::optional<Time> expected_run_time(std::uint64_t id) const override;
  void preempt(std::uint64_t id) override;

  Engine& engine_;
  ClusterInventory& inventory_;
  ClusterSchedulerSpec spec_;
  JobSpeedModel* speed_;
  std::unique_ptr<QueuePolicy> policy_;
  RandomStream* placement_random_;
  std::vector<std::unique_ptr<Job>> jobs_;  // by id - 1
  JobQueue queue_;
  std::vector<std::uint64_t> running_;  // every job holding GPUs (or a CPU-only pod running)
  std::vector<std::vector<std::uint64_t>> jobs_on_node_;
  LoanBook loans_;
  int running_count_ = 0;
  int running_model_jobs_ = 0;
  bool pass_pending_ = false;
  bool model_set_changed_ = false;
  bool finished_ = false;
};

}  // namespace cs
