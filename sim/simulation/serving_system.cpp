#include "sim/simulation/serving_system.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "sim/llm/memory_model.hpp"
#include "sim/network/fabric.hpp"
#include "sim/serving/weight_loader.hpp"
#include "sim/simulation/host_stream.hpp"
#include "sim/simulation/replica_placement.hpp"
#include "sim/simulation/replica_traffic.hpp"
#include "topology/host_link.hpp"

namespace cs {

CommunicationCost ServingSystem::plan_rate_copies(const ServingPoolSpec& spec) {
  CommunicationCost comm;
  if (!spec.streaming) return comm;
  // Without a topology every pass gets the plan's rate (the GPU's own PCIe link), counted.
  const double rate = spec.streaming->host_bandwidth_bytes_per_s;
  comm.host_copy_s = [rate, passes = streaming_passes_](double bytes) {
    passes->add(rate);
    return bytes / rate;
  };
  return comm;
}

ServingSystem::ServingSystem(Engine& engine, const ServingPoolSpec& spec, Fabric* fabric,
                             GpuLedger* ledger, WeightLoader* weights)
    : engine_(engine),
      spec_(spec),
      cost_(std::make_shared<LlmIterationCost>(spec.model, spec.gpu, spec.precision, spec.plan,
                                               plan_rate_copies(spec), spec.engine, spec.streaming)),
      fabric_(fabric),
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
      if (r.state() == ReplicaState::kStopped && r.id() < traffic_.size() && traffic_[r.id()])
        traffic_[r.id()]->idle();
      if (r.state() == ReplicaState::kStopped && r.id() < streams_.size() && streams_[r.id()])
        streams_[r.id()]->idle();
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
  if (weights && spec_.weights_from && autoscaler_) {
    weights_ = weights;
    weights_key_ = spec_.model.name + "/" + std::string(dtype_name(spec_.precision.weights));
    // Each GPU holds its stage's shard; the fullest stage's is what the memory model counts.
    weight_bytes_per_gpu_ =
        inference_memory_per_gpu(TransformerCost(spec_.model, spec_.precision, spec_.plan), InferenceLoad{})
            .weights_bytes;
    if (spec_.weights_prestaged) weights_->hold_everywhere(weights_key_);
    autoscaler_->set_boot([](Replica& r, Time provisioning) { r.start_awaiting_weights(provisioning); });
    router_.on_replica_state.connect(
        [this](const Replica& r, ReplicaState previous) { replica_state_changed(r, previous); });
  }
}

void ServingSystem::replica_state_changed(const Replica& replica, ReplicaState previous) {
  const std::uint32_t id = replica.id();
  if (load_of_.size() <= id) load_of_.resize(id + 1);
  if (replica.state() == ReplicaState::kLoadingWeights) {
    load_weights(*router_.replicas().at(id));
  } else if (replica.state() == ReplicaState::kStopped && previous == ReplicaState::kLoadingWeights &&
             load_of_[id].load >= 0) {
    weights_->cancel(static_cast<WeightLoader::LoadId>(load_of_[id].load));
    if (load_of_[id].peer >= 0) --uploads_of_[static_cast<std::size_t>(load_of_[id].peer)];
    load_of_[id] = {};
  }
  if (replica.state() == ReplicaState::kStopped) resource_loads_from(id);
}

void ServingSystem::resource_loads_from(std::uint32_t stopped) {
  // Its GPUs are going back (to the placement, or the lender): the loads it feeds move to
  // another ready peer, the one feeding the fewest, or to the object store.
  for (std::uint32_t id = 0; id < load_of_.size(); ++id) {
    BootLoad& boot = load_of_[id];
    if (boot.load < 0 || boot.peer != static_cast<std::int64_t>(stopped)) continue;
    --uploads_of_[stopped];
    weights_->switch_source(static_cast<WeightLoader::LoadId>(boot.load), take_peer(id, boot.peer));
  }
}

std::span<const VertexId> ServingSystem::take_peer(std::uint32_t replica, std::int64_t& peer) {
  peer = -1;
  const Replica* p = choose_peer(replica);
  if (!p) return {};
  peer = p->id();
  if (uploads_of_.size() <= p->id()) uploads_of_.resize(p->id() + 1, 0);
  ++uploads_of_[p->id()];
  return gpus_of_replica(p->id());
}

const Replica* ServingSystem::choose_peer(std::uint32_t replica) const {
  // The ready replica feeding the fewest loads now (lowest id on ties): peers share the work.
  const Replica* best = nullptr;
  for (const Replica* r : router_.ready_replicas()) {
    if (r->id() == replica || gpus_of_replica(r->id()).size() != gpus_of_replica(replica).size()) continue;
    const int uploads = r->id() < uploads_of_.size() ? uploads_of_[r->id()] : 0;
    const int best_uploads = best && best->id() < uploads_of_.size() ? uploads_of_[best->id()] : 0;
    if (!best || uploads < best_uploads || (uploads == best_uploads && r->id() < best->id())) best = r;
  }
  return best;
}

void ServingSystem::load_weights(Replica& replica) {
  const std::uint32_t id = replica.id();
  std::int64_t peer = -1;
  const std::span<const VertexId> peer_gpus =
      *spec_.weights_from == WeightSource::kPeer ? take_peer(id, peer) : std::span<const VertexId>{};
  const WeightLoader::LoadId load =
      weights_->begin(id, weights_key_, gpus_of_replica(id), weight_bytes_per_gpu_, *spec_.weights_from, peer_gpus,
                      [this, &replica, id] {
                        if (load_of_[id].peer >= 0) --uploads_of_[static_cast<std::size_t>(load_of_[id].peer)];
                        load_of_[id] = {};
                        replica.weights_loaded();
                      });
  load_of_[id] = {static_cast<std::int64_t>(load), peer};
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
  std::shared_ptr<ReplicaTraffic> traffic;
  std::shared_ptr<HostStream> stream;
  ReplicaSpec replica_spec = spec_.replica;
  if (placement_) {
    const std::span<const VertexId> gpus = gpus_of_.at(id);
    if (replica_spec.preemption == PreemptionMode::kSwap || replica_spec.host_cache_bytes > 0)
      replica_spec.swap_bytes_per_s = host_copy_bytes_per_s(gpus);
    // Traffic inside one node is on its NVLink/PCIe, which the cost model prices: nothing to carry.
    const int node = fabric_->topology().vertex(gpus.front()).node;
    if (std::any_of(gpus.begin(), gpus.end(), [&](VertexId g) { return fabric_->topology().vertex(g).node != node; }))
      traffic =
          std::make_shared<ReplicaTraffic>(*fabric_, TransformerCost(spec_.model, spec_.precision, spec_.plan), gpus);
    const int slot = slot_of_.at(id);
    std::function<double(double)> host_copy_s;
    if (spec_.streaming) {
      stream = std::make_shared<HostStream>(fabric_->network(), gpus);
      host_copy_s = [stream, passes = streaming_passes_](double bytes) {
        const double s = stream->copy_s(bytes);
        passes->add(stream->last_bytes_per_s());
        return s;
      };
    }
    if ((traffic && traffic->crosses_nodes()) || stream)
      cost = placement_->contended_cost(
          gpus, fabric_->idle_cost_model(), [traffic] { return traffic ? traffic->slowdown() : 1.0; },
          std::move(host_copy_s));
    else
      cost = slot >= 0 ? placement_->cost_for(slot) : placement_->cost_for_gpus(gpus);
  }
  if (!gpus_of_replica(id).empty()) on_replica_placed.emit(id, gpus_of_replica(id));
  on_replica_created.emit(spec_.replica.gpus);
  auto replica = std::make_unique<Replica>(engine_, id, replica_spec, std::move(cost));
  if (traffic && traffic->crosses_nodes()) carry_traffic(*replica, std::move(traffic));
  if (stream) carry_stream(*replica, std::move(stream));
  return replica;
}

double ServingSystem::host_copy_bytes_per_s(std::span<const VertexId> gpus) const {
  // A swap or a host-tier copy moves every GPU's share of the KV at once, so each GPU gets its
  // host link's share with the others' copies (GPUs under one PCIe switch split its uplink), at
  // the network's effective link capacities, as the streamed weight copies do. Its own traffic
  // only: the copies are short and priced when planned, not carried on the network.
  const FlowNetwork& net = fabric_->network();
  try {
    const double each = shared_host_bytes_per_s(fabric_->router(), gpus, [&net](LinkId l) { return net.capacity(l); });
    return each * static_cast<double>(gpus.size());
  } catch (const std::invalid_argument&) {
    // A topology that draws no host memory in the GPUs' node (an explicit one): the host links
    // are not on it, so each GPU copies over its own catalog PCIe link, as without a topology.
    return spec_.replica.swap_bytes_per_s;
  }
}

void ServingSystem::carry_stream(Replica& replica, std::shared_ptr<HostStream> stream) {
  if (streams_.size() <= replica.id()) streams_.resize(replica.id() + 1);
  streams_[replica.id()] = stream;
  // Pricing a pass starts the copies; they stop once an iteration ends with nothing after it.
  replica.on_iteration_end.connect([this, stream, &replica](const IterationRecord& r) {
    if (r.end != engine_.now()) return;
    engine_.schedule_in(
        Time{},
        [stream, &replica] {
          if (!replica.iterating()) stream->idle();
        },
        Priority::kObserve);
  });
}

void ServingSystem::carry_traffic(Replica& replica, std::shared_ptr<ReplicaTraffic> traffic) {
  if (traffic_.size() <= replica.id()) traffic_.resize(replica.id() + 1);
  traffic_[replica.id()] = traffic;
  // Each iteration's token rate; idle once an iteration ends with nothing after it (the
  // replica wakes for new work at kSettle, before this check at kObserve).
  replica.on_iteration_end.connect([this, traffic, &replica](const IterationRecord& r) {
    traffic->iteration(r.prefill_tokens + r.decode_sequences, r.start, r.end);
    if (r.end != engine_.now()) return;  // a fused run's earlier steps
    engine_.schedule_in(
        Time{},
        [traffic, &replica] {
          if (!replica.iterating()) traffic->idle();
        },
        Priority::kObserve);
  });
}

void ServingSystem::set_gpu_lender(GpuLender lender) {
  lender_ = std::move(lender);
  if (placement_) placement_->place_by_lender();
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
    // The initial replicas' nodes hold their weights already (they were loaded before the run).
    if (weights_)
      for (const auto& r : router_.replicas()) weights_->hold(weights_key_, gpus_of_replica(r->id()));
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
  if (spec_.replica.prefix_caching && !request.prefix_hash_ids.empty()) {
    r.prefix_ids = std::make_shared<const std::vector<std::int64_t>>(request.prefix_hash_ids);
    r.prefix_block_tokens = request.prefix_block_tokens;
  }
  router_.submit(r);
}

void ServingSystem::finish() {
  router_.finish_run();
}

}  // namespace cs
