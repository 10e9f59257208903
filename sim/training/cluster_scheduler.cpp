#include "sim/training/cluster_scheduler.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace cs {

std::string_view to_string(SchedulingPolicy p) {
  switch (p) {
    case SchedulingPolicy::kFifo:
      return "fifo";
    case SchedulingPolicy::kEasyBackfill:
      return "easy_backfill";
    case SchedulingPolicy::kPriorityPreemptive:
      return "priority_preemptive";
  }
  return "?";
}

namespace {

enum class Phase : std::uint8_t { kRestarting, kWorking, kCheckpointing };

}  // namespace

struct ClusterScheduler::Job {
  std::uint64_t id = 0;
  ClusterJobSpec spec;
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

  // Progress. Fixed work counts down in exact integer time; iterations in doubles.
  Phase phase = Phase::kWorking;
  Time phase_start;
  Time phase_end;
  Time remaining_work;  // fixed-duration jobs
  Time checkpointed_remaining_work;
  double remaining_iterations = 0;  // model jobs
  double checkpointed_remaining_iterations = 0;
  double total_iterations = 0;
  double iteration_s = 0;  // current, from the speed model; 0 until timed
  Time worked_since_checkpoint;
  bool pay_restart = false;
  bool planned_finish = false;
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
  bool open_ended() const { return !spec.duration && !spec.training; }
  double gpu_weight() const { return static_cast<double>(spec.gpus) * spec.gpu_milli / ClusterInventory::kMilliPerGpu; }
  bool final() const { return status == ClusterJobStatus::kFinished || status == ClusterJobStatus::kNeverFits; }
};

ClusterScheduler::ClusterScheduler(Engine& engine, ClusterInventory& inventory, const ClusterSchedulerSpec& spec,
                                   JobSpeedModel* speed)
    : engine_(engine),
      inventory_(inventory),
      spec_(spec),
      speed_(speed),
      placement_random_(&engine.random("cluster_placement")),
      jobs_on_node_(static_cast<std::size_t>(inventory.node_count())),
      last_account_(engine.now()) {}

ClusterScheduler::~ClusterScheduler() = default;

ClusterScheduler::QueueKey ClusterScheduler::key_of(const Job& j) const {
  const int neg_priority = spec_.policy == SchedulingPolicy::kPriorityPreemptive ? -j.spec.priority : 0;
  return QueueKey{neg_priority, j.spec.submit, j.id};
}

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
  if (spec.checkpoint.interval < Time() || spec.checkpoint.write_time < Time() ||
      spec.checkpoint.restart_overhead < Time())
    throw std::invalid_argument("cluster job '" + spec.name + "': negative checkpoint time");
  account();
  auto owned = std::make_unique<Job>();
  Job& j = *owned;
  j.id = jobs_.size() + 1;
  spec.submit = engine_.now();
  j.spec = std::move(spec);
  if (j.spec.duration) j.remaining_work = j.checkpointed_remaining_work = *j.spec.duration;
  if (j.model())
    j.total_iterations = j.remaining_iterations = j.checkpointed_remaining_iterations = j.spec.training->iterations();
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
  queue_.insert(key_of(j));
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
  account();
  switch (spec_.policy) {
    case SchedulingPolicy::kFifo:
      pass_in_order(false);
      break;
    case SchedulingPolicy::kPriorityPreemptive:
      pass_in_order(true);
      break;
    case SchedulingPolicy::kEasyBackfill:
      pass_easy_backfill();
      break;
  }
  if (model_set_changed_) retime_model_jobs();
}

void ClusterScheduler::pass_in_order(bool preempt) {
  for (auto it = queue_.begin(); it != queue_.end();) {
    Job& j = job(it->id);
    if (try_start(j, -1)) {
      it = queue_.erase(it);
      continue;
    }
    if (preempt && try_preempt_for(j)) {
      it = queue_.begin();  // victims re-queued behind (lower priority); the head is still first
      continue;
    }
    break;
  }
}

void ClusterScheduler::pass_easy_backfill() {
  auto it = queue_.begin();
  while (it != queue_.end() && try_start(job(it->id), -1)) it = queue_.erase(it);
  if (it == queue_.end()) return;
  const Job& head = job(it->id);
  ++it;
  if (it == queue_.end()) return;
  if (model_set_changed_) retime_model_jobs();  // expected ends need current iteration times

  // The head's reservation: replay running jobs' releases in order of expected end on a copy
  // of the GPUs' free shares until the head would fit (a node holding it, for a single-node
  // head; enough GPUs anywhere, for a gang that may span nodes).
  const int k = head.model() ? head.spec.training->parallel.tp : 1;
  const bool one_node = head.spec.single_node || head.spec.gpu_milli < ClusterInventory::kMilliPerGpu;
  const int need = head.spec.gpus;
  auto eligible = [&](int n) {
    return inventory_.schedulable(n) &&
           (head.spec.gpu_type.empty() || inventory_.node(n).gpu_type == head.spec.gpu_type);
  };
  std::vector<int> milli(static_cast<std::size_t>(inventory_.gpu_count()));
  for (GpuIndex g = 0; g < inventory_.gpu_count(); ++g) milli[static_cast<std::size_t>(g)] = inventory_.milli_free(g);
  std::vector<int> node_free(static_cast<std::size_t>(inventory_.node_count()));
  int total_free = 0;
  for (int n = 0; n < inventory_.node_count(); ++n) {
    node_free[static_cast<std::size_t>(n)] = eligible(n) ? inventory_.free_gpus(n) : 0;
    total_free += node_free[static_cast<std::size_t>(n)];
  }
  std::vector<std::pair<Time, std::uint64_t>> ends;
  ends.reserve(running_.size());
  for (std::uint64_t id : running_) ends.emplace_back(expected_end(job(id)), id);
  std::sort(ends.begin(), ends.end());
  Time shadow = Time::max();
  int reserved_node = -1;
  int extra = 0;
  for (const auto& [end, id] : ends) {
    if (end == Time::max()) break;
    const Job& r = job(id);
    const int share = r.spec.gpu_milli;
    for (GpuIndex g : r.gpus) {
      auto& m = milli[static_cast<std::size_t>(g)];
      m += share;
      const int n = inventory_.node_of(g);
      if (m == ClusterInventory::kMilliPerGpu && eligible(n)) {
        ++node_free[static_cast<std::size_t>(n)];
        ++total_free;
      }
    }
    if (one_node) {
      for (int n : r.nodes) {
        const int u = node_free[static_cast<std::size_t>(n)] - node_free[static_cast<std::size_t>(n)] % k;
        if (u >= need && eligible(n)) {
          reserved_node = n;
          break;
        }
      }
      if (reserved_node >= 0) {
        shadow = end;
        break;
      }
    } else if (total_free >= need) {
      shadow = end;
      extra = total_free - need;
      break;
    }
  }

  // Backfill: later jobs in order, each if it fits now and cannot delay the reservation.
  const Time now = engine_.now();
  while (it != queue_.end()) {
    Job& j = job(it->id);
    const Time run = expected_run_time(j);
    const bool ends_before = run != Time::max() && shadow != Time::max() && now + run <= shadow;
    bool started = false;
    if (ends_before || shadow == Time::max()) {
      started = try_start(j, -1);
    } else if (one_node) {
      started = try_start(j, reserved_node);
    } else if (j.spec.gpus <= extra) {
      started = try_start(j, -1);
      if (started) extra -= j.spec.gpus;
    }
    it = started ? queue_.erase(it) : std::next(it);
  }
}

bool ClusterScheduler::fits_now(const Job& j) const {
  // Necessary conditions from the inventory's counts, O(1)-ish, before any placement scan.
  if (j.spec.gpu_milli < ClusterInventory::kMilliPerGpu) return inventory_.any_gpu_with_free(j.spec.gpu_milli);
  if (j.spec.single_node) return inventory_.nodes_with_free_at_least(j.spec.gpus) > 0;
  return inventory_.free_whole_gpus() >= j.spec.gpus;
}

bool ClusterScheduler::try_start(Job& j, int exclude_node) {
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
  j.phase_start = now;
  if (j.pay_restart && j.spec.checkpoint.restart_overhead > Time()) {
    j.phase = Phase::kRestarting;
    j.phase_end = now + j.spec.checkpoint.restart_overhead;
  } else {
    j.phase = Phase::kWorking;
  }
  j.pay_restart = false;
  j.worked_since_checkpoint = Time();
  add_running(j);
  if (j.model()) {
    j.iteration_s = 0;  // timed by retime_model_jobs() at the end of this pass
    model_set_changed_ = true;
  }
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

void ClusterScheduler::advance(Job& j) {
  const Time now = engine_.now();
  const Time dt = now - j.phase_start;
  j.phase_start = now;
  if (dt <= Time()) return;
  switch (j.phase) {
    case Phase::kRestarting:
      j.restart_s += dt.seconds();
      break;
    case Phase::kCheckpointing:
      j.checkpoint_s += dt.seconds();
      break;
    case Phase::kWorking:
      j.worked_since_checkpoint += dt;
      j.working_s += dt.seconds();
      if (j.model()) {
        if (j.iteration_s > 0) {
          const double done = std::min(dt.seconds() / j.iteration_s, j.remaining_iterations);
          j.remaining_iterations -= done;
          j.iterations_executed += done;
        }
      } else if (j.spec.duration) {
        j.remaining_work = std::max(j.remaining_work - dt, Time());
      }
      break;
  }
}

void ClusterScheduler::plan_next_event(Job& j) {
  engine_.cancel(j.event);
  j.event = EventHandle{};
  Time at = Time::max();
  j.planned_finish = false;
  if (j.phase != Phase::kWorking) {
    at = j.phase_end;
  } else {
    std::optional<Time> to_finish;
    if (j.model()) {
      if (j.iteration_s > 0) to_finish = Time::from_seconds_ceil(std::max(j.remaining_iterations, 0.0) * j.iteration_s);
    } else if (j.spec.duration) {
      to_finish = j.remaining_work;
    }
    std::optional<Time> to_checkpoint;
    if (j.spec.checkpoint.interval > Time())
      to_checkpoint = std::max(j.spec.checkpoint.interval - j.worked_since_checkpoint, Time());
    // A checkpoint due at the very end is not taken: finishing saves the result anyway.
    if (to_finish && (!to_checkpoint || *to_finish <= *to_checkpoint)) {
      at = engine_.now() + *to_finish;
      j.planned_finish = true;
    } else if (to_checkpoint) {
      at = engine_.now() + *to_checkpoint;
    }
  }
  if (at == Time::max()) return;
  const std::uint64_t id = j.id;
  j.event = engine_.schedule_at(at, [this, id] { on_job_event(id); });
}

void ClusterScheduler::on_job_event(std::uint64_t id) {
  if (finished_) return;
  account();
  Job& j = job(id);
  j.event = EventHandle{};
  advance(j);
  switch (j.phase) {
    case Phase::kRestarting:
      j.phase = Phase::kWorking;
      break;
    case Phase::kCheckpointing:
      // The checkpoint is complete: the work before it is safe.
      j.useful_work_s += j.worked_since_checkpoint.seconds();
      j.worked_since_checkpoint = Time();
      j.checkpointed_remaining_work = j.remaining_work;
      j.checkpointed_remaining_iterations = j.remaining_iterations;
      j.phase = Phase::kWorking;
      break;
    case Phase::kWorking:
      if (j.planned_finish) {
        complete(j);
        return;
      }
      if (j.spec.checkpoint.write_time > Time()) {
        j.phase = Phase::kCheckpointing;
        j.phase_end = engine_.now() + j.spec.checkpoint.write_time;
      } else {
        j.useful_work_s += j.worked_since_checkpoint.seconds();
        j.worked_since_checkpoint = Time();
        j.checkpointed_remaining_work = j.remaining_work;
        j.checkpointed_remaining_iterations = j.remaining_iterations;
      }
      break;
  }
  plan_next_event(j);
}

void ClusterScheduler::complete(Job& j) {
  j.useful_work_s += j.worked_since_checkpoint.seconds();
  j.worked_since_checkpoint = Time();
  j.remaining_work = Time();
  j.remaining_iterations = 0;
  release_gpus(j);
  remove_running(j);
  j.status = ClusterJobStatus::kFinished;
  j.end = engine_.now();
  on_job_finished.emit(make_record(j));
  request_pass();
}

void ClusterScheduler::interrupt(Job& j, Cause cause) {
  advance(j);
  engine_.cancel(j.event);
  j.event = EventHandle{};
  // Everything since the last completed checkpoint is gone, an interrupted write included.
  j.lost_work_s += j.worked_since_checkpoint.seconds();
  j.worked_since_checkpoint = Time();
  j.remaining_work = j.checkpointed_remaining_work;
  j.remaining_iterations = j.checkpointed_remaining_iterations;
  j.phase = Phase::kWorking;
  if (cause == Cause::kFailure)
    ++j.failures;
  else
    ++j.preemptions;
  j.pay_restart = true;
  release_gpus(j);
  remove_running(j);
  if (cause != Cause::kLoan || spec_.preemption_backoff <= Time()) {
    enqueue(j);
    return;
  }
  j.status = ClusterJobStatus::kWaiting;
  j.queued_since = engine_.now();
  held_.push_back(j.id);
  if (!hold_armed_) {
    hold_armed_ = true;
    engine_.schedule_at(*last_lender_change_ + spec_.preemption_backoff, [this] { release_held(); });
  }
}

void ClusterScheduler::release_held() {
  hold_armed_ = false;
  if (finished_ || held_.empty()) return;
  const Time quiet_at = *last_lender_change_ + spec_.preemption_backoff;
  if (engine_.now() < quiet_at) {
    // The lender borrowed or returned GPUs meanwhile: wait for its quiet period to end.
    hold_armed_ = true;
    engine_.schedule_at(quiet_at, [this] { release_held(); });
    return;
  }
  // Back in the queue with their original keys; queued_since stays the eviction time.
  for (std::uint64_t id : held_) queue_.insert(key_of(job(id)));
  held_.clear();
  request_pass();
}

double ClusterScheduler::unsaved_gpu_s(const Job& j) const {
  Time unsaved = j.worked_since_checkpoint;
  if (j.phase == Phase::kWorking) unsaved += engine_.now() - j.phase_start;
  return j.gpu_weight() * unsaved.seconds();
}

std::vector<std::uint64_t> ClusterScheduler::loan_victims(int need, int below_priority) const {
  std::vector<std::uint64_t> candidates;
  for (std::uint64_t id : preemption_victims(below_priority))
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

std::vector<std::uint64_t> ClusterScheduler::preemption_victims(int below_priority) const {
  std::vector<std::uint64_t> victims;
  for (std::uint64_t id : running_) {
    const Job& r = job(id);
    if (r.spec.preemptible && r.spec.priority < below_priority && !r.gpus.empty()) victims.push_back(id);
  }
  // Lowest priority first; among equals the most recently started (it has the least to lose
  // when it checkpoints rarely), then the highest id, for a deterministic order.
  std::sort(victims.begin(), victims.end(), [&](std::uint64_t a, std::uint64_t b) {
    const Job& x = job(a);
    const Job& y = job(b);
    if (x.spec.priority != y.spec.priority) return x.spec.priority < y.spec.priority;
    if (*x.started != *y.started) return *x.started > *y.started;
    return a > b;
  });
  return victims;
}

bool ClusterScheduler::try_preempt_for(Job& j) {
  auto victims = preemption_victims(j.spec.priority);
  if (victims.empty()) return false;
  const bool one_node = j.spec.single_node || j.spec.gpu_milli < ClusterInventory::kMilliPerGpu;
  const int need = j.spec.gpu_milli < ClusterInventory::kMilliPerGpu ? 1 : j.spec.gpus;
  auto matches = [&](int n) {
    return inventory_.schedulable(n) && (j.spec.gpu_type.empty() || inventory_.node(n).gpu_type == j.spec.gpu_type);
  };
  // Whole GPUs each victim would free, per node (a shared GPU frees only if every sharer on it
  // is a victim: counted conservatively as not freed).
  auto whole_gpus_on = [&](const Job& r, int n) {
    if (r.spec.gpu_milli < ClusterInventory::kMilliPerGpu) return 0;
    int count = 0;
    for (GpuIndex g : r.gpus) count += inventory_.node_of(g) == n ? 1 : 0;
    return count;
  };
  std::vector<std::uint64_t> chosen;
  if (one_node) {
    // The node where the fewest victims free enough GPUs.
    int best_node = -1;
    std::size_t best_count = 0;
    for (int n = 0; n < inventory_.node_count(); ++n) {
      if (!matches(n)) continue;
      int free = inventory_.free_gpus(n);
      std::size_t used = 0;
      for (std::uint64_t id : victims) {
        if (free >= need) break;
        const int w = whole_gpus_on(job(id), n);
        if (w == 0) continue;
        free += w;
        ++used;
      }
      if (free >= need && used > 0 && (best_node < 0 || used < best_count)) {
        best_node = n;
        best_count = used;
      }
    }
    if (best_node < 0) return false;
    int free = inventory_.free_gpus(best_node);
    for (std::uint64_t id : victims) {
      if (free >= need) break;
      const int w = whole_gpus_on(job(id), best_node);
      if (w == 0) continue;
      free += w;
      chosen.push_back(id);
    }
  } else {
    int free = inventory_.free_whole_gpus();
    for (std::uint64_t id : victims) {
      if (free >= need) break;
      const Job& r = job(id);
      int w = 0;
      for (int n : r.nodes)
        if (matches(n)) w += whole_gpus_on(r, n);
      if (w == 0) continue;
      free += w;
      chosen.push_back(id);
    }
    if (free < need) return false;
  }
  for (std::uint64_t id : chosen) {
    Job& r = job(id);
    interrupt(r, Cause::kPreemption);
    on_job_preempted.emit(make_record(r));
  }
  return !chosen.empty();
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
    const double t = times[i].total_s();
    if (!(t > 0)) throw std::logic_error("speed model gave a non-positive iteration time");
    advance(r);  // progress so far at the old speed
    r.breakdown = times[i];
    r.iteration_s = t;
    plan_next_event(r);
  }
}

Time ClusterScheduler::expected_run_time(const Job& j) const {
  Time left;
  if (j.phase == Phase::kRestarting && j.status == ClusterJobStatus::kRunning) left += j.phase_end - engine_.now();
  if (j.phase == Phase::kCheckpointing && j.status == ClusterJobStatus::kRunning) left += j.phase_end - engine_.now();
  if (j.status == ClusterJobStatus::kWaiting && j.pay_restart) left += j.spec.checkpoint.restart_overhead;
  if (j.model()) {
    if (!(j.iteration_s > 0)) return Time::max();  // never timed: unknown
    double remaining = j.remaining_iterations;
    if (j.status == ClusterJobStatus::kRunning && j.phase == Phase::kWorking)
      remaining -= (engine_.now() - j.phase_start).seconds() / j.iteration_s;
    return left + Time::from_seconds_ceil(std::max(remaining, 0.0) * j.iteration_s);
  }
  if (!j.spec.duration) return Time::max();
  Time work = j.remaining_work;
  if (j.status == ClusterJobStatus::kRunning && j.phase == Phase::kWorking)
    work = std::max(work - (engine_.now() - j.phase_start), Time());
  return left + work;
}

Time ClusterScheduler::expected_end(const Job& j) const {
  const Time run = expected_run_time(j);
  return run == Time::max() ? Time::max() : engine_.now() + run;
}

void ClusterScheduler::attach(FailureInjector& failures) {
  failures.on_node_down.connect([this](int node, bool gpu_fault) { node_down(node, gpu_fault); });
  failures.on_node_up.connect([this](int node) { node_up(node); });
}

void ClusterScheduler::node_down(int node, bool gpu_fault) {
  if (finished_) return;
  account();
  const auto hit = jobs_on_node_[static_cast<std::size_t>(node)];  // a copy: interrupt() edits it
  for (std::uint64_t id : hit) interrupt(job(id), Cause::kFailure);
  revoke_loans_on(node);
  inventory_.set_down(node);
  ++node_failures_;
  on_failure.emit(node, gpu_fault, static_cast<int>(hit.size()));
  request_pass();
}

void ClusterScheduler::node_up(int node) {
  if (finished_) return;
  account();
  inventory_.set_up(node);
  request_pass();
}

GpuLoan ClusterScheduler::borrow_gpus(int count, int priority, int group) {
  GpuLoan loan;
  if (finished_ || count <= 0) return loan;
  group = std::max(group, 1);
  account();
  last_lender_change_ = engine_.now();
  std::vector<GpuIndex> taken;
  auto allocate = [&](const Placement& placement) {
    for (GpuIndex g : placement.gpus) {
      inventory_.allocate(g, ClusterInventory::kMilliPerGpu, {GpuOwner::kLoan, next_loan_id_});
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
  loan.id = next_loan_id_++;
  loan.gpus = taken;
  lent_gpus_ += static_cast<int>(taken.size());
  loans_.push_back(Loan{loan.id, std::move(taken)});
  return loan;
}

void ClusterScheduler::return_gpus(std::uint64_t loan_id) {
  auto it = std::find_if(loans_.begin(), loans_.end(), [&](const Loan& l) { return l.id == loan_id; });
  if (it == loans_.end()) throw std::invalid_argument("cluster scheduler: no such GPU loan");
  account();
  last_lender_change_ = engine_.now();
  for (GpuIndex g : it->gpus) inventory_.release(g, ClusterInventory::kMilliPerGpu, {GpuOwner::kLoan, it->id});
  lent_gpus_ -= static_cast<int>(it->gpus.size());
  loans_.erase(it);
  request_pass();
}

void ClusterScheduler::revoke_loans_on(int node) {
  for (auto it = loans_.begin(); it != loans_.end();) {
    const bool hit =
        std::any_of(it->gpus.begin(), it->gpus.end(), [&](GpuIndex g) { return inventory_.node_of(g) == node; });
    if (!hit) {
      ++it;
      continue;
    }
    for (GpuIndex g : it->gpus) inventory_.release(g, ClusterInventory::kMilliPerGpu, {GpuOwner::kLoan, it->id});
    lent_gpus_ -= static_cast<int>(it->gpus.size());
    const std::uint64_t id = it->id;
    it = loans_.erase(it);
    ++loans_revoked_;
    on_loan_revoked.emit(id);
  }
}

void ClusterScheduler::finish() {
  if (finished_) return;
  account();
  finished_ = true;
  for (auto& owned : jobs_) {
    Job& j = *owned;
    if (j.final()) continue;
    if (j.status == ClusterJobStatus::kRunning) {
      advance(j);
      engine_.cancel(j.event);
      j.event = EventHandle{};
    } else {
      j.queue_s += (engine_.now() - j.queued_since).seconds();
      j.queued_since = engine_.now();
    }
    on_job_finished.emit(make_record(j));
  }
}

void ClusterScheduler::account() {
  const Time now = engine_.now();
  if (finished_ || now <= last_account_) return;
  const double dt = (now - last_account_).seconds();
  allocated_gpu_s_ += inventory_.allocated_gpu_shares() * dt;
  in_service_gpu_s_ += static_cast<double>(inventory_.in_service_gpus()) * dt;
  last_account_ = now;
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
  r.useful_work_s = j.useful_work_s + j.worked_since_checkpoint.seconds();
  r.checkpoint_s = j.checkpoint_s;
  r.restart_s = j.restart_s;
  r.held_s = r.useful_work_s + r.lost_work_s + r.checkpoint_s + r.restart_s;
  r.queue_s = j.queue_s;
  if (j.status == ClusterJobStatus::kWaiting && !finished_) r.queue_s += (engine_.now() - j.queued_since).seconds();
  if (j.model()) {
    r.iterations_done = j.total_iterations - j.remaining_iterations;
    r.mean_iteration_s = j.iterations_executed > 0 ? j.working_s / j.iterations_executed : j.iteration_s;
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
    if (iteration_s) iteration_s->push_back(r.iteration_s);
  }
  return out;
}

const IterationBreakdown* ClusterScheduler::iteration_breakdown(std::uint64_t id) const {
  if (id == 0 || id > jobs_.size()) return nullptr;
  const Job& j = job(id);
  if (!j.model() || j.status != ClusterJobStatus::kRunning || !(j.iteration_s > 0)) return nullptr;
  return &j.breakdown;
}

ClusterTotals ClusterScheduler::totals() const {
  ClusterTotals t;
  double completion = 0;
  double queue = 0;
  double held = 0;
  for (const auto& owned : jobs_) {
    const Job& j = *owned;
    ++t.submitted;
    switch (j.status) {
      case ClusterJobStatus::kFinished:
        ++t.finished;
        break;
      case ClusterJobStatus::kWaiting:
        ++t.waiting;
        break;
      case ClusterJobStatus::kRunning:
        ++t.running;
        break;
      case ClusterJobStatus::kNeverFits:
        ++t.never_fits;
        break;
    }
    t.failures += static_cast<std::uint64_t>(j.failures);
    t.preemptions += static_cast<std::uint64_t>(j.preemptions);
    t.restarts += static_cast<std::uint64_t>(j.restarts);
    if (j.status == ClusterJobStatus::kFinished) {
      completion += (*j.end - j.spec.submit).seconds();
      queue += j.queue_s;
    }
    const ClusterJobRecord r = make_record(j);
    const double w = j.gpu_weight();
    t.useful_gpu_s += w * r.useful_work_s;
    t.lost_gpu_s += w * r.lost_work_s;
    t.checkpoint_gpu_s += w * r.checkpoint_s;
    t.restart_gpu_s += w * r.restart_s;
    held += w * r.held_s;
  }
  t.node_failures = node_failures_;
  t.loans_revoked = loans_revoked_;
  if (t.finished > 0) {
    t.mean_completion_s = completion / static_cast<double>(t.finished);
    t.mean_queue_s = queue / static_cast<double>(t.finished);
  }
  t.goodput = held > 0 ? t.useful_gpu_s / held : 0.0;
  // Integrals up to now (the last accounting may be a while ago when nothing changed).
  double allocated = allocated_gpu_s_;
  double in_service = in_service_gpu_s_;
  if (!finished_ && engine_.now() > last_account_) {
    const double dt = (engine_.now() - last_account_).seconds();
    allocated += inventory_.allocated_gpu_shares() * dt;
    in_service += static_cast<double>(inventory_.in_service_gpus()) * dt;
  }
  t.allocated_gpu_s = allocated;
  t.in_service_gpu_s = in_service;
  t.gpu_utilization = in_service > 0 ? allocated / in_service : 0.0;
  return t;
}

}  // namespace cs
