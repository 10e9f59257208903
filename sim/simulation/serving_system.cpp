#include "sim/simulation/serving_system.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "sim/network/fabric.hpp"
#include "sim/simulation/replica_placement.hpp"

namespace cs {

ServingSystem::ServingSystem(Engine& engine, const ServingPoolSpec& spec, Fabric* fabric,
                             GpuLedger* ledger)
    : engine_(engine),
      spec_(spec),
      cost_(std::make_shared<LlmIterationCost>(spec.model, spec.gpu, spec.precision, spec.plan, CommunicationCost{},
                                               spec.engine)),
      router_(engine, spec.router) {
  if (fabric) {
    placement_ = std::make_unique<ReplicaPlacement>(spec_, fabric->topology(), fabric->cost_model(), ledger);
    const std::int64_t room = static_cast<std::int64_t>(placement_->slots()) * spec_.replica.gpus;
    if (spec_.autoscaler && (spec_.autoscaler->gpu_limit == 0 || spec_.autoscaler->gpu_limit > room))
      spec_.autoscaler->gpu_limit = room;
    if (spec_.initial_replicas > placement_->slots())
      throw std::invalid_argument("serving: " + std::to_string(spec_.initial_replicas) + " initial replicas of " +
                                  std::to_string(spec_.replica.gpus) + " GPUs do not fit the topology's " +
                                  std::to_string(placement_->slots()) + " replica slots");
    router_.on_replica_state.connect([this](const Replica& r, ReplicaState) {
      if (r.state() != ReplicaState::kStopped || r.id() >= slot_of_.size()) return;
      int& slot = slot_of_[r.id()];
      if (slot >= 0) placement_->release(slot);
      slot = -1;
    });
  }
  if (spec_.autoscaler) {
    autoscaler_ = std::make_unique<Autoscaler>(engine_, router_, *spec_.autoscaler,
                                               [this](std::uint32_t id) { return make_replica(id); });
    if (placement_) autoscaler_->set_gpu_grant([this](std::uint32_t id, int) { return reserve_gpus(id); });
  }
}

ServingSystem::~ServingSystem() = default;

bool ServingSystem::reserve_gpus(std::uint32_t id) {
  if (gpus_of_.size() <= id) gpus_of_.resize(id + 1);
  if (slot_of_.size() <= id) slot_of_.resize(id + 1, -1);
  if (lender_.acquire) {
    std::vector<VertexId> lent = lender_.acquire(id, spec_.replica.gpus, spec_.plan.tp);
    if (lent.empty()) return false;
    gpus_of_[id] = std::move(lent);
    return true;
  }
  if (!placement_) return true;
  const int slot = placement_->acquire();
  if (slot < 0) return false;
  slot_of_[id] = slot;
  gpus_of_[id] = placement_->gpus_of(slot);
  return true;
}

std::span<const VertexId> ServingSystem::gpus_of_replica(std::uint32_t id) const {
  if (id >= gpus_of_.size()) return {};
  return gpus_of_[id];
}

std::unique_ptr<Replica> ServingSystem::make_replica(std::uint32_t id) {
  // Without a grant in front (no autoscaler), the GPUs are reserved here.
  if (!autoscaler_ && !reserve_gpus(id))
    throw std::runtime_error("serving: pool '" + spec_.router.name + "' cannot have the GPUs of replica " +
                             std::to_string(id + 1) + (lender_.acquire ? " from the cluster" : " on the topology"));
  std::shared_ptr<const LlmIterationCost> cost = cost_;
  if (placement_) {
    const int slot = slot_of_.at(id);
    cost = slot >= 0 ? placement_->cost_for(slot) : placement_->cost_for_gpus(gpus_of_.at(id));
  }
  if (!gpus_of_replica(id).empty()) on_replica_placed.emit(id, gpus_of_replica(id));
  on_replica_created.emit(spec_.replica.gpus);
  return std::make_unique<Replica>(engine_, id, spec_.replica, std::move(cost));
}

void ServingSystem::set_gpu_lender(GpuLender lender) {
  lender_ = std::move(lender);
  if (autoscaler_) autoscaler_->set_gpu_grant([this](std::uint32_t id, int) { return reserve_gpus(id); });
  router_.on_replica_state.connect([this](const Replica& r, ReplicaState) {
    if (r.state() == ReplicaState::kStopped) lender_.release(r.id());
  });
  if (lender_.revoked)
    lender_.revoked->connect([this](std::uint32_t id) {
      Replica& r = *router_.replicas().at(id);
      if (r.state() != ReplicaState::kStopped && r.state() != ReplicaState::kDraining) r.drain();
    });
}

void ServingSystem::start(Time horizon) {
  if (autoscaler_) {
    autoscaler_->start(spec_.initial_replicas, horizon);
  } else {
    for (int i = 0; i < spec_.initial_replicas; ++i)
      router_.add_replica(make_replica(router_.next_replica_id())).start(Time{}, Time{});
  }
}

void ServingSystem::submit(const InferenceRequest& request, std::uint64_t id, RequestPhase phase) {
  ServingRequest r;
  r.id = id;
  r.phase = phase;
  r.arrival = engine_.now();
  // A trace row with an empty prompt or answer still costs one token of each.
  r.input_tokens = std::max<std::int64_t>(request.input_tokens, 1);
  r.output_tokens = std::max<std::int64_t>(request.output_tokens, 1);
  router_.submit(r);
}

void ServingSystem::finish() {
  router_.finish_run();
}

}  // namespace cs
