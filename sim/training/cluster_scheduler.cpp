#include "sim/training/cluster_scheduler.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/training/priority_preemptive_policy.hpp"
#include "sim/training/training_spec_checks.hpp"

namespace cs {

struct ClusterScheduler::Job {
  explicit Job(ClusterJobSpec s) : spec(std::move(s)), run(spec) {}

  std::uint64_t id = 0;
  ClusterJobSpec spec;
  JobRun run;
  ClusterJobStatus status = ClusterJobStatus::kWaiting;
  Time queued_since;
  std::optional<Time> first_start;
  std::optional<Time> started;  // this run
  std::optional<Time> end;
  std::size_t running_index = 0;

  std::vector<GpuIndex> gpus;
  std::vector<VertexId> vertices;  // rank order for the speed model
  std::vector<int> nodes;          // distinct, ascending
  int nodes_used = 0;
  int leaves_used = 0;
  EventHandle event{};
  IterationBreakdown breakdown{};

  // Accounting.
  int restarts = 0;
  int preemptions = 0;
  int failures = 0;
  double lost_work_s = 0;
  double useful_work_s = 0;
  double checkpoint_s = 0;
  double restart_s = 0;
  double queue_s = 0;
  double working_s = 0;
  double iterations_executed = 0;

  bool model() const { return spec.training.has_value(); }
  double gpu_weight() const { return static_cast<double>(spec.gpus) * spec.gpu_milli / ClusterInventory::kMilliPerGpu; }
  bool final() const { return status == ClusterJobStatus::kFinished || status == ClusterJobStatus::kNeverFits; }
};

ClusterScheduler::ClusterScheduler(Engine& engine, ClusterInventory& inventory, const ClusterSchedulerSpec& spec,
                                   JobSpeedModel* speed)
    : engine_(engine),
      inventory_(inventory),
      spec_(spec),
      speed_(speed),
      policy_(make_queue_policy(spec.policy)),
      placement_random_(&engine.random("cluster_placement")),
      jobs_on_node_(static_cast<std::size_t>(inventory.node_count())),
      loans_(spec.preemption_backoff) {}

ClusterScheduler::~ClusterScheduler() = default;

std::uint64_t ClusterScheduler::submit(ClusterJobSpec spec) {
  if (finished_) throw std::logic_error("cluster scheduler: submit after finish()");
  if (spec.gpus < 0) throw std::invalid_argument("cluster job '" + spec.name + "': negative GPU count");
  if (spec.gpu_milli <= 0 || spec.gpu_milli > ClusterInventory::kMilliPerGpu)
    throw std::invalid_argument("cluster job '" + spec.name + "': gpu_milli must be in 1..1000");
  if (spec.gpu_milli < ClusterInventory::kMilliPerGpu && spec.gpus != 1)
    throw std::invalid_argument("cluster job '" + spec.name + "': a GPU share needs exactly one GPU");
  if (spec.duration && spec.training)
    throw std::invalid_argument("cluster job '" + spec.name + "': both a duration and a training model");
  if (spec.duration && *spec.duration <= Time())
    throw std::invalid_argument("cluster job '" + spec.name + "': duration must be positive");
  if (spec.training) {
    if (speed_ == nullptr)
      throw std::invalid_argument("cluster job '" + spec.name + "': a training job needs a speed model");
    if (spec.training->parallel.gpus() != spec.gpus)
      throw std::invalid_argument("cluster job '" + spec.name + "': tp x pp x dp != gpus");
    if (!(spec.training->iterations() > 0))
      throw std::invalid_argument("cluster job '" + spec.name + "': no iterations to train");
  }
  require_valid(validate(spec.checkpoint), "cluster job '" + spec.name + "': checkpoint");
  on_gpus_changing.emit();
  spec.submit = engine_.now();
  auto owned = std::make_unique<Job>(std::move(spec));
  Job& j = *owned;
  j.id = jobs_.size() + 1;
  j.queued_since = engine_.now();
  jobs_.push_back(std::move(owned));
  on_job_submitted.emit(make_record(j));

  PlacementRequest request{j.spec.gpus,        j.spec.gpu_milli,
                           j.spec.single_node, j.model() ? j.spec.training->parallel.tp : 1,
                           j.spec.gpu_type,    -1};
  if (!can_ever_fit(inventory_, request)) {
    j.status = ClusterJobStatus::kNeverFits;
    j.end = engine_.now();
    on_job_finished.emit(make_record(j));
    return j.id;
  }
  if (j.spec.gpus == 0) {
    // CPU-only pods compete for no GPU: they start at once and never queue.
    start(j, Placement{});
    return j.id;
  }
  enqueue(j);
  return j.id;
}

void ClusterScheduler::enqueue(Job& j) {
  j.status = ClusterJobStatus::kWaiting;
  j.queued_since = engine_.now();
  queue_.insert(policy_->key(j.spec, j.id));
  request_pass();
}

void ClusterScheduler::request_pass() {
  if (pass_pending_ || finished_) return;
  pass_pending_ = true;
  // One pass per instant, after the events already due now (all finishes and arrivals of the
  // instant are seen together).
  engine_.schedule_in(Time(), [this] {
    pass_pending_ = false;
    schedule_pass();
  });
}

void ClusterScheduler::schedule_pass() {
  if (finished_) return;
  on_gpus_changing.emit();
  policy_->pass(queue_, *this);
  if (model_set_changed_) retime_model_jobs();
}

const ClusterJobSpec& ClusterScheduler::spec_of(std::uint64_t id) const {
  return job(id).spec;
}

std::span<const GpuIndex> ClusterScheduler::gpus_of(std::uint64_t id) const {
  return job(id).gpus;
}

std::span<const int> ClusterScheduler::nodes_of(std::uint64_t id) const {
  return job(id).nodes;
}

Time ClusterScheduler::started_at(std::uint64_t id) const {
  return *job(id).started;
}

void ClusterScheduler::retime_running() {
  if (model_set_changed_) retime_model_jobs();
}

std::optional<Time> ClusterScheduler::expected_run_time(std::uint64_t id) const {
  return job(id).run.expected_run_time(engine_.now());
}

void ClusterScheduler::preempt(std::uint64_t id) {
  Job& r = job(id);
  interrupt(r, Cause::kPreemption);
  on_job_preempted.emit(make_record(r));
}

bool ClusterScheduler::fits_now(const Job& j) const {
  // Necessary conditions from the inventory's counts, O(1)-ish, before any placement scan.
  if (j.spec.gpu_milli < ClusterInventory::kMilliPerGpu) return inventory_.any_gpu_with_free(j.spec.gpu_milli);
  if (j.spec.single_node) return inventory_.nodes_with_free_at_least(j.spec.gpus) > 0;
  return inventory_.free_whole_gpus() >= j.spec.gpus;
}

bool ClusterScheduler::try_start(std::uint64_t id, int exclude_node) {
  Job& j = job(id);
  if (!fits_now(j)) return false;
  PlacementRequest request{j.spec.gpus,        j.spec.gpu_milli,
                           j.spec.single_node, j.model() ? j.spec.training->parallel.tp : 1,
                           j.spec.gpu_type,    exclude_node};
  auto placement = place_job(inventory_, request, spec_.placement, placement_random_);
  if (!placement) return false;
  start(j, std::move(*placement));
  return true;
}

void ClusterScheduler::start(Job& j, Placement placement) {
  const Time now = engine_.now();
  for (GpuIndex g : placement.gpus) inventory_.allocate(g, j.spec.gpu_milli, {GpuOwner::kTraining, j.id});
  j.gpus = std::move(placement.gpus);
  j.nodes_used = placement.nodes_used;
  j.leaves_used = placement.leaves_used;
  j.nodes.clear();
  j.vertices.clear();
  for (GpuIndex g : j.gpus) {
    const int n = inventory_.node_of(g);
    if (j.nodes.empty() || j.nodes.back() != n) {
      j.nodes.push_back(n);
      jobs_on_node_[static_cast<std::size_t>(n)].push_back(j.id);
    }
    j.vertices.push_back(inventory_.vertex_of(g));
  }
  j.queue_s += (now - j.queued_since).seconds();
  if (j.first_start)
    ++j.restarts;
  else
    j.first_start = now;
  j.started = now;
  j.status = ClusterJobStatus::kRunning;
  j.run.start(now);  // a model job is timed by retime_model_jobs() at the end of this pass
  add_running(j);
  if (j.model()) model_set_changed_ = true;
  plan_next_event(j);
  on_job_started.emit(make_record(j));
}

void ClusterScheduler::add_running(Job& j) {
  j.running_index = running_.size();
  running_.push_back(j.id);
  ++running_count_;
  if (j.model()) ++running_model_jobs_;
}

void ClusterScheduler::remove_running(Job& j) {
  const std::uint64_t last = running_.back();
  running_[j.running_index] = last;
  job(last).running_index = j.running_index;
  running_.pop_back();
  --running_count_;
  if (j.model()) {
    --running_model_jobs_;
    model_set_changed_ = true;
  }
}

void ClusterScheduler::release_gpus(Job& j) {
  for (GpuIndex g : j.gpus) inventory_.release(g, j.spec.gpu_milli, {GpuOwner::kTraining, j.id});
  for (int n : j.nodes) {
    auto& list = jobs_on_node_[static_cast<std::size_t>(n)];
    list.erase(std::find(list.begin(), list.end(), j.id));
  }
  j.gpus.clear();
  j.vertices.clear();
  j.nodes.clear();
}

void ClusterScheduler::note(Job& j, const PhaseStretch& s) {
  if (s.duration <= Time()) return;
  switch (s.phase) {
    case RunPhase::kRestarting:
      j.restart_s += s.duration.seconds();
      break;
    case RunPhase::kCheckpointing:
      j.checkpoint_s += s.duration.seconds();
      break;
    case RunPhase::kWorking:
      j.working_s += s.duration.seconds();
      j.iterations_executed += s.iterations;
      break;
    case RunPhase::kQueued:
    case RunPhase::kDone:
      break;
  }
}

void ClusterScheduler::plan_next_event(Job& j) {
  engine_.cancel(j.event);
  j.event = EventHandle{};
  const std::optional<Time> at = j.run.next_event(engine_.now());
  if (!at) return;
  const std::uint64_t id = j.id;
  j.event = engine_.schedule_at(*at, [this, id] { on_job_event(id); });
}

void ClusterScheduler::on_job_event(std::uint64_t id) {
  if (finished_) return;
  on_gpus_changing.emit();
  Job& j = job(id);
  j.event = EventHandle{};
  const JobRun::Step step = j.run.on_event(engine_.now());
  note(j, step.stretch);
  if (step.saved) j.useful_work_s += step.saved_work.seconds();
  if (step.finished) {
    complete(j);
    return;
  }
  plan_next_event(j);
}

void ClusterScheduler::complete(Job& j) {
  release_gpus(j);
  remove_running(j);
  j.status = ClusterJobStatus::kFinished;
  j.end = engine_.now();
  on_job_finished.emit(make_record(j));
  request_pass();
}

void ClusterScheduler::interrupt(Job& j, Cause cause) {
  const JobRun::Interruption lost = j.run.interrupt(engine_.now());
  note(j, lost.stretch);
  engine_.cancel(j.event);
  j.event = EventHandle{};
  j.lost_work_s += lost.lost_work.seconds();
  if (cause == Cause::kFailure)
    ++j.failures;
  else
    ++j.preemptions;
  release_gpus(j);
  remove_running(j);
  if (cause == Cause::kLoan && loans_.holds_jobs()) {
    j.status = ClusterJobStatus::kWaiting;
    j.queued_since = engine_.now();
    if (const std::optional<Time> wake = loans_.hold(j.id))
      engine_.schedule_at(*wake, [this] { release_held(); });
    return;
  }
  enqueue(j);
}

void ClusterScheduler::release_held() {
  if (finished_) return;
  LoanBook::Release r = loans_.release(engine_.now());
  if (r.wake_again) {
    // The lender borrowed or returned GPUs meanwhile: wait for its quiet period to end.
    engine_.schedule_at(*r.wake_again, [this] { release_held(); });
    return;
  }
  if (r.jobs.empty()) return;
  // Back in the queue with their original keys; queued_since stays the eviction time.
  for (std::uint64_t id : r.jobs) queue_.insert(policy_->key(job(id).spec, id));
  request_pass();
}

std::vector<std::uint64_t> ClusterScheduler::loan_victims(int need, int below_priority) const {
  const Time now = engine_.now();
  auto unsaved_gpu_s = [&](const Job& j) { return j.gpu_weight() * j.run.unsaved_work(now).seconds(); };
  std::vector<std::uint64_t> candidates;
  for (std::uint64_t id : preemption_victims(*this, below_priority))
    if (job(id).spec.gpu_milli == ClusterInventory::kMilliPerGpu) candidates.push_back(id);  // frees whole GPUs
  if (candidates.empty()) return {};
  // Only the lowest priority present is touched while it can free enough GPUs.
  std::stable_sort(candidates.begin(), candidates.end(), [&](std::uint64_t a, std::uint64_t b) {
    const Job& x = job(a);
    const Job& y = job(b);
    if (x.spec.priority != y.spec.priority) return x.spec.priority < y.spec.priority;
    return unsaved_gpu_s(x) < unsaved_gpu_s(y);
  });
  const int lowest = job(candidates.front()).spec.priority;
  int lowest_gpus = 0;
  for (std::uint64_t id : candidates)
    if (job(id).spec.priority == lowest) lowest_gpus += static_cast<int>(job(id).gpus.size());
  if (lowest_gpus >= need) {
    // One job that frees enough alone, the one losing the least work.
    for (std::uint64_t id : candidates) {
      if (job(id).spec.priority != lowest) break;
      if (static_cast<int>(job(id).gpus.size()) >= need) return {id};
    }
  }
  std::vector<std::uint64_t> chosen;
  int freed = 0;
  for (std::uint64_t id : candidates) {
    if (freed >= need) break;
    chosen.push_back(id);
    freed += static_cast<int>(job(id).gpus.size());
  }
  // Evicting jobs that cannot free enough would lose their work for nothing.
  if (freed < need) chosen.clear();
  return chosen;
}

void ClusterScheduler::retime_model_jobs() {
  model_set_changed_ = false;
  if (running_model_jobs_ == 0 || speed_ == nullptr) return;
  std::vector<RunningTrainingJob> running;
  std::vector<std::uint64_t> ids;
  for (std::uint64_t id : running_) {
    const Job& r = job(id);
    if (!r.model()) continue;
    ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());  // job order, not the running list's swap order
  for (std::uint64_t id : ids) {
    const Job& r = job(id);
    running.push_back(RunningTrainingJob{id, &*r.spec.training, std::span<const VertexId>(r.vertices)});
  }
  const auto times = speed_->iterations(running);
  if (times.size() != ids.size()) throw std::logic_error("speed model returned the wrong number of breakdowns");
  for (std::size_t i = 0; i < ids.size(); ++i) {
    Job& r = job(ids[i]);
    note(r, r.run.set_iteration_time(engine_.now(), times[i].total_s()));
    r.breakdown = times[i];
    plan_next_event(r);
  }
}

void ClusterScheduler::attach(FailureInjector& failures) {
  failures.on_node_down.connect([this](int node, bool gpu_fault) { node_down(node, gpu_fault); });
  failures.on_node_up.connect([this](int node) { node_up(node); });
}

void ClusterScheduler::node_down(int node, bool gpu_fault) {
  if (finished_) return;
  on_gpus_changing.emit();
  const auto hit = jobs_on_node_[static_cast<std::size_t>(node)];  // a copy: interrupt() edits it
  for (std::uint64_t id : hit) interrupt(job(id), Cause::kFailure);
  revoke_loans_on(node);
  inventory_.set_down(node);
  on_failure.emit(node, gpu_fault, static_cast<int>(hit.size()));
  request_pass();
}

void ClusterScheduler::node_up(int node) {
  if (finished_) return;
  on_gpus_changing.emit();
  inventory_.set_up(node);
  request_pass();
}

GpuLoan ClusterScheduler::borrow_gpus(int count, int priority, int group) {
  GpuLoan loan;
  if (finished_ || count <= 0) return loan;
  group = std::max(group, 1);
  on_gpus_changing.emit();
  loans_.lender_changed(engine_.now());
  std::vector<GpuIndex> taken;
  auto allocate = [&](const Placement& placement) {
    for (GpuIndex g : placement.gpus) {
      inventory_.allocate(g, ClusterInventory::kMilliPerGpu, {GpuOwner::kLoan, loans_.next_id()});
      taken.push_back(g);
    }
  };
  // Free GPUs, `granularity` of them (or a multiple) per node: all that is wanted at once
  // (best fit over the whole request), else one group at a time while groups still fit.
  auto take_free = [&](int granularity) {
    int want = std::min(count - static_cast<int>(taken.size()), inventory_.free_whole_gpus());
    want -= want % granularity;
    if (want <= 0) return;
    PlacementRequest request{want, ClusterInventory::kMilliPerGpu, false, granularity, {}, -1};
    if (auto placement = place_job(inventory_, request, PlacementPolicy::kTopologyAware, nullptr)) {
      allocate(*placement);
      return;
    }
    if (granularity == 1) return;
    request.gpus = granularity;
    while (count - static_cast<int>(taken.size()) >= granularity) {
      auto placement = place_job(inventory_, request, PlacementPolicy::kTopologyAware, nullptr);
      if (!placement) return;
      allocate(*placement);
    }
  };
  take_free(group);
  if (static_cast<int>(taken.size()) < count) {
    const int need = count - static_cast<int>(taken.size()) - inventory_.free_whole_gpus();
    for (std::uint64_t id : loan_victims(need, priority)) {
      Job& r = job(id);
      interrupt(r, Cause::kLoan);
      on_job_preempted.emit(make_record(r));
    }
    take_free(group);
  }
  // No node has a whole group free: the rest spans nodes (the borrower pays for that).
  if (group > 1 && static_cast<int>(taken.size()) < count) take_free(1);
  if (taken.empty()) return loan;
  // In groups the order taken is kept: each placement is node-major, so every `group`
  // consecutive GPUs taken in groups share a node.
  if (group == 1) std::sort(taken.begin(), taken.end());
  return loans_.grant(std::move(taken));
}

void ClusterScheduler::hand_over(std::uint64_t loan_id, GpuHolder holder) {
  const GpuLoan before = loans_.hand_over(loan_id, holder);
  for (GpuIndex g : before.gpus) inventory_.hand_over(g, before.holder, holder);
}

void ClusterScheduler::return_gpus(std::uint64_t loan_id) {
  const GpuLoan loan = loans_.give_back(loan_id);
  on_gpus_changing.emit();
  loans_.lender_changed(engine_.now());
  for (GpuIndex g : loan.gpus) inventory_.release(g, ClusterInventory::kMilliPerGpu, loan.holder);
  request_pass();
}

void ClusterScheduler::revoke_loans_on(int node) {
  const auto on_node = [&](GpuIndex g) { return inventory_.node_of(g) == node; };
  while (const std::optional<GpuLoan> loan = loans_.revoke_first(on_node)) {
    for (GpuIndex g : loan->gpus) inventory_.release(g, ClusterInventory::kMilliPerGpu, loan->holder);
    on_loan_revoked.emit(loan->id);
  }
}

void ClusterScheduler::finish() {
  if (finished_) return;
  on_finishing.emit();
  finished_ = true;
  for (auto& owned : jobs_) {
    Job& j = *owned;
    if (j.final()) continue;
    if (j.status == ClusterJobStatus::kRunning) {
      note(j, j.run.advance(engine_.now()));
      engine_.cancel(j.event);
      j.event = EventHandle{};
    } else {
      j.queue_s += (engine_.now() - j.queued_since).seconds();
      j.queued_since = engine_.now();
    }
    on_job_finished.emit(make_record(j));
  }
}

ClusterJobRecord ClusterScheduler::make_record(const Job& j) const {
  ClusterJobRecord r;
  r.id = j.id;
  r.name = j.spec.name;
  r.submit = j.spec.submit;
  r.first_start = j.first_start;
  r.end = j.end;
  r.gpus = j.spec.gpus;
  r.gpu_milli = j.spec.gpu_milli;
  r.priority = j.spec.priority;
  r.status = j.status;
  r.restarts = j.restarts;
  r.preemptions = j.preemptions;
  r.failures = j.failures;
  r.lost_work_s = j.lost_work_s;
  // Work in progress (since the last checkpoint, not lost) counts as useful.
  r.useful_work_s = j.useful_work_s + j.run.worked_since_checkpoint().seconds();
  r.checkpoint_s = j.checkpoint_s;
  r.restart_s = j.restart_s;
  r.held_s = r.useful_work_s + r.lost_work_s + r.checkpoint_s + r.restart_s;
  r.queue_s = j.queue_s;
  if (j.status == ClusterJobStatus::kWaiting && !finished_) r.queue_s += (engine_.now() - j.queued_since).seconds();
  if (j.model()) {
    r.iterations_done = j.run.iterations_done();
    r.mean_iteration_s = j.iterations_executed > 0 ? j.working_s / j.iterations_executed : j.run.iteration_s();
  }
  r.nodes_used = j.nodes_used;
  r.leaves_used = j.leaves_used;
  return r;
}

ClusterJobRecord ClusterScheduler::record(std::uint64_t id) const {
  if (id == 0 || id > jobs_.size()) throw std::out_of_range("cluster scheduler: no such job");
  return make_record(job(id));
}

std::vector<RunningTrainingJob> ClusterScheduler::running_training_jobs(std::vector<double>* iteration_s) const {
  std::vector<std::uint64_t> ids;
  for (std::uint64_t id : running_)
    if (job(id).model()) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  std::vector<RunningTrainingJob> out;
  if (iteration_s) iteration_s->clear();
  for (std::uint64_t id : ids) {
    const Job& r = job(id);
    out.push_back(RunningTrainingJob{id, &*r.spec.training, std::span<const VertexId>(r.vertices)});
    if (iteration_s) iteration_s->push_back(r.run.iteration_s());
  }
  return out;
}

const IterationBreakdown* ClusterScheduler::iteration_breakdown(std::uint64_t id) const {
  if (id == 0 || id > jobs_.size()) return nullptr;
  const Job& j = job(id);
  if (!j.model() || j.status != ClusterJobStatus::kRunning || !(j.run.iteration_s() > 0)) return nullptr;
  return &j.breakdown;
}

}  // namespace cs
