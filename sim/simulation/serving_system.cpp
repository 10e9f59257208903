#include "sim/simulation/serving_system.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace cs {

ServingSystem::ServingSystem(Engine& engine, const ServingPoolSpec& spec, std::unique_ptr<RequestSource> source)
    : engine_(engine),
      spec_(spec),
      cost_(std::make_shared<LlmIterationCost>(spec.model, spec.gpu, spec.precision, spec.plan)),
      router_(engine, spec.router),
      source_(std::move(source)) {
  if (spec_.autoscaler)
    autoscaler_ = std::make_unique<Autoscaler>(engine_, router_, *spec_.autoscaler,
                                               [this](std::uint32_t id) { return make_replica(id); });
}

std::unique_ptr<Replica> ServingSystem::make_replica(std::uint32_t id) {
  on_replica_created.emit(spec_.replica.gpus);
  return std::make_unique<Replica>(engine_, id, spec_.replica, cost_);
}

void ServingSystem::set_gpu_lender(GpuLender lender) {
  lender_ = std::move(lender);
  if (autoscaler_) autoscaler_->set_gpu_grant(lender_.acquire);
  router_.on_replica_state.connect([this](const Replica& r, ReplicaState) {
    if (r.state() == ReplicaState::kStopped) lender_.release(r.id());
  });
}

void ServingSystem::start(Time horizon) {
  horizon_ = horizon;
  if (autoscaler_) {
    autoscaler_->start(spec_.initial_replicas, horizon);
  } else {
    for (int i = 0; i < spec_.initial_replicas; ++i) {
      if (lender_.acquire && !lender_.acquire(router_.next_replica_id(), spec_.replica.gpus))
        throw std::runtime_error("serving: the cluster cannot lend the GPUs of initial replica " +
                                 std::to_string(i + 1));
      router_.add_replica(make_replica(router_.next_replica_id())).start(Time{}, Time{});
    }
  }
  schedule_next_arrival();
}

void ServingSystem::schedule_next_arrival() {
  next_ = source_->next();
  if (!next_ || next_->arrival > horizon_) {
    next_.reset();
    return;
  }
  engine_.schedule_at(std::max(next_->arrival, engine_.now()), [this] { arrive(); });
}

void ServingSystem::arrive() {
  ServingRequest r;
  r.id = next_id_++;
  r.arrival = engine_.now();
  // A trace row with an empty prompt or answer still costs one token of each.
  r.input_tokens = std::max<std::int64_t>(next_->input_tokens, 1);
  r.output_tokens = std::max<std::int64_t>(next_->output_tokens, 1);
  schedule_next_arrival();
  router_.submit(r);
}

void ServingSystem::finish() {
  router_.finish_run();
}

}  // namespace cs
