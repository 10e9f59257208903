#include "sim/simulation/serving_system.hpp"

#include <algorithm>

namespace cs {

ServingSystem::ServingSystem(Engine& engine, const ServingPoolSpec& spec)
    : engine_(engine),
      spec_(spec),
      cost_(std::make_shared<LlmIterationCost>(spec.model, spec.gpu, spec.precision, spec.plan)),
      router_(engine, spec.router) {
  if (spec_.autoscaler)
    autoscaler_ = std::make_unique<Autoscaler>(engine_, router_, *spec_.autoscaler,
                                               [this](std::uint32_t id) { return make_replica(id); });
}

std::unique_ptr<Replica> ServingSystem::make_replica(std::uint32_t id) {
  on_replica_created.emit(spec_.replica.gpus);
  return std::make_unique<Replica>(engine_, id, spec_.replica, cost_);
}

void ServingSystem::start(Time horizon) {
  if (autoscaler_) {
    autoscaler_->start(spec_.initial_replicas, horizon);
  } else {
    for (int i = 0; i < spec_.initial_replicas; ++i)
      router_.add_replica(make_replica(router_.next_replica_id())).start(Time{}, Time{});
  }
}

void ServingSystem::submit(const InferenceRequest& request, std::uint64_t id) {
  ServingRequest r;
  r.id = id;
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
