#include "sim/simulation/training_system.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/training/network_speed_model.hpp"
#include "sim/training/pod_trace_jobs.hpp"

namespace cs {

TrainingSystem::TrainingSystem(Engine& engine, const TrainingClusterSpec& spec, Fabric* fabric)
    : engine_(engine), spec_(spec), fabric_(spec.from_topology ? fabric : nullptr) {
  if (spec_.from_topology) {
    if (!fabric) throw std::invalid_argument("training cluster: the inventory needs the scenario's topology");
    inventory_ = std::make_unique<ClusterInventory>(ClusterInventory::from_topology(fabric_->topology(), spec_.gpu_type));
  } else {
    inventory_ = std::make_unique<ClusterInventory>(
        ClusterInventory::uniform(spec_.nodes, spec_.gpus_per_node, spec_.nodes_per_leaf, spec_.gpu_type));
  }
  if (spec_.failures_enabled && spec_.failures.spare_nodes > 0) inventory_->reserve_spares(spec_.failures.spare_nodes);
  // Model-driven jobs need links to be timed on; the loader allows them only with a topology.
  if (fabric_) {
    auto speed = std::make_unique<NetworkSpeedModel>(
        *fabric_,
        // With SHARP on the fabric, DP all-reduces run on it (NCCL_COLLNET_ENABLE); else rings.
        fabric_->tuning().sharp != SharpGeneration::kNone ? CollectiveAlgorithm::kCollnet : CollectiveAlgorithm::kRing);
    network_speed_ = speed.get();
    speed_ = std::move(speed);
  }
  scheduler_ = std::make_unique<ClusterScheduler>(engine_, *inventory_, spec_.scheduler, speed_.get());
  accounting_ = std::make_unique<ClusterAccounting>(engine_, *scheduler_);
  scheduler_->on_loan_revoked.connect([this](std::uint64_t loan_id) {
    const auto it = std::find_if(loans_.begin(), loans_.end(), [&](const auto& kv) { return kv.second == loan_id; });
    if (it == loans_.end()) return;
    const std::uint64_t key = it->first;
    loans_.erase(it);
    revoked_.at(key >> 32)->emit(static_cast<std::uint32_t>(key));
  });
  if (spec_.failures_enabled) {
    failures_ = std::make_unique<FailureInjector>(engine_, spec_.failures, inventory_->node_count(),
                                                  inventory_->max_gpus_per_node());
    scheduler_->attach(*failures_);
  }
  if (spec_.spot_reclaims_per_node_s > 0)
    spot_ = std::make_unique<SpotInterruptions>(
        engine_, spec_.spot_reclaims_per_node_s, "training",
        [this](std::uint32_t node) { return reclaim_spot_node(static_cast<int>(node)); });
  if (spec_.trace) trace_ = make_job_source(*spec_.trace);
}

// A reclaimed spot node goes down as a failed node does (its jobs lose the work since their
// last checkpoint and requeue); the replacement instance joins spot_replacement later and
// may itself be reclaimed. A node down for a failure is not reclaimed (its instance is
// being repaired); its next reclaim is drawn afresh (memoryless, so the rate holds).
bool TrainingSystem::reclaim_spot_node(int node) {
  if (failures_ && !failures_->is_up(node)) {
    spot_->provisioned(static_cast<std::uint32_t>(node));
    return false;
  }
  scheduler_->node_down(node, false);
  engine_.schedule_in(spec_.spot_replacement, [this, node] {
    scheduler_->node_up(node);
    spot_->provisioned(static_cast<std::uint32_t>(node));
  });
  return true;
}

TrainingSystem::~TrainingSystem() = default;

std::vector<const TrainingJobSpec*> TrainingSystem::model_jobs() const {
  std::vector<const TrainingJobSpec*> out;
  for (const ClusterJobSpec& j : spec_.jobs)
    if (j.training) out.push_back(&*j.training);
  return out;
}

void TrainingSystem::start(Time horizon) {
  horizon_ = horizon;
  if (failures_) failures_->start();
  if (spot_)
    for (int n = 0; n < inventory_->node_count(); ++n) spot_->provisioned(static_cast<std::uint32_t>(n));
  schedule_next_model_job();
  if (trace_) schedule_next_trace_job();
}

void TrainingSystem::schedule_next_model_job() {
  if (next_model_job_ >= spec_.jobs.size()) return;
  const Time at = spec_.jobs[next_model_job_].submit;
  if (at > horizon_) return;
  engine_.schedule_at(std::max(at, engine_.now()), [this] {
    const std::size_t i = next_model_job_++;
    const ClusterJobSpec& job = spec_.jobs[i];
    const std::uint64_t id = scheduler_->submit(job);
    on_job_submitted.emit(id, job.training ? &*job.training : nullptr, spec_.job_usd_per_gpu_hour[i]);
    schedule_next_model_job();
  });
}

void TrainingSystem::schedule_next_trace_job() {
  next_trace_ = trace_->next();
  if (!next_trace_) return;
  Time at = next_trace_->creation;
  if (spec_.trace->time_scale != 1)
    at = Time::ns(std::llround(static_cast<double>(at.count_ns()) / spec_.trace->time_scale));
  if (at > horizon_) {
    next_trace_.reset();
    return;
  }
  engine_.schedule_at(std::max(at, engine_.now()), [this] { submit_trace_job(); });
}

void TrainingSystem::submit_trace_job() {
  ClusterJobSpec job = cluster_job_from_pod(*next_trace_);
  // Only the Alibaba pods are Kubernetes pods (one node each); a CSV or inline job is a gang
  // that may span nodes.
  if (spec_.trace->format != JobListFormat::kAlibabaPods) job.single_node = false;
  job.checkpoint = spec_.checkpoint;
  job.submit = engine_.now();
  const std::uint64_t id = scheduler_->submit(std::move(job));
  on_job_submitted.emit(id, nullptr, spec_.usd_per_gpu_hour);
  schedule_next_trace_job();
}

void TrainingSystem::finish() {
  if (failures_) failures_->stop();
  scheduler_->finish();
}

ServingSystem::GpuLender TrainingSystem::lender(std::size_t pool) {
  while (revoked_.size() <= pool) revoked_.push_back(std::make_unique<Signal<std::uint32_t>>());
  const auto key = [pool](std::uint32_t replica) { return replica_holder_id(pool, replica); };
  ServingSystem::GpuLender l;
  l.acquire = [this, key](std::uint32_t replica, int gpus, int group) {
    std::vector<VertexId> lent;
    const GpuLoan loan = scheduler_->borrow_gpus(gpus, spec_.serving_priority, group);
    if (static_cast<int>(loan.gpus.size()) < gpus) {
      if (loan.id != 0) scheduler_->return_gpus(loan.id);
      return lent;
    }
    loans_[key(replica)] = loan.id;
    scheduler_->hand_over(loan.id, GpuHolder{GpuOwner::kServing, key(replica)});
    for (const GpuIndex g : loan.gpus) lent.push_back(inventory_->vertex_of(g));
    return lent;
  };
  l.revoked = revoked_[pool].get();
  l.release = [this, key](std::uint32_t replica) {
    const auto it = loans_.find(key(replica));
    if (it == loans_.end()) return;
    scheduler_->return_gpus(it->second);
    loans_.erase(it);
  };
  return l;
}

}  // namespace cs
