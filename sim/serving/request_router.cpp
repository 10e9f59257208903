#include "sim/serving/request_router.hpp"

#include <algorithm>
#include <stdexcept>

namespace cs {

std::string_view routing_policy_name(RoutingPolicy policy) {
  switch (policy) {
    case RoutingPolicy::kRoundRobin:
      return "round_robin";
    case RoutingPolicy::kLeastOutstanding:
      return "least_outstanding";
    case RoutingPolicy::kJoinShortestQueue:
      return "join_shortest_queue";
    case RoutingPolicy::kPowerOfTwo:
      return "power_of_two";
    case RoutingPolicy::kPrefixAffinity:
      return "prefix_affinity";
  }
  return "unknown";
}

namespace {
// The outcome of a request that never reached a replica.
RequestOutcome outcome_before_replica(const ServingRequest& request, RequestStatus status) {
  RequestOutcome o;
  o.id = request.id;
  o.status = status;
  o.input_tokens = request.input_tokens;
  o.output_tokens = request.output_tokens;
  o.arrival = request.arrival;
  return o;
}
}  // namespace

RequestRouter::RequestRouter(Engine& engine, const RequestRouterSpec& spec)
    : engine_(engine), spec_(spec), rng_(engine.random(spec.name.empty() ? "router" : "router:" + spec.name)) {
  if (spec.max_queued_requests < 0) throw std::invalid_argument("max_queued_requests must not be negative");
  if (spec.context_window < 0) throw std::invalid_argument("the context window must not be negative");
  if (spec.affinity_margin < 0) throw std::invalid_argument("affinity_margin must not be negative");
  if (!(spec.affinity_ratio >= 1)) throw std::invalid_argument("affinity_ratio must be at least 1");
}

Replica& RequestRouter::add_replica(std::unique_ptr<Replica> replica) {
  if (!replica) throw std::invalid_argument("add_replica: no replica");
  if (replica->id() != next_replica_id())
    throw std::invalid_argument("add_replica: replica id " + std::to_string(replica->id()) + ", expected " +
                                std::to_string(next_replica_id()));
  if (replica->state() != ReplicaState::kProvisioning)
    throw std::invalid_argument("add_replica: replica already started");
  Replica& r = *replica;
  replicas_.push_back(std::move(replica));
  ++state_counts_[static_cast<std::size_t>(ReplicaState::kProvisioning)];
  r.on_request_done.connect([this](const RequestOutcome& o) { relay_done(o); });
  r.on_first_token.connect([this](const RequestOutcome& o) { on_first_token.emit(o); });
  r.on_state_change.connect([this](const Replica& rep, ReplicaState previous) { replica_changed(rep, previous); });
  return r;
}

void RequestRouter::replica_changed(const Replica& replica, ReplicaState previous) {
  --state_counts_[static_cast<std::size_t>(previous)];
  ++state_counts_[static_cast<std::size_t>(replica.state())];
  Replica* r = replicas_[replica.id()].get();
  const auto by_id = [](const Replica* a, const Replica* b) { return a->id() < b->id(); };
  if (previous == ReplicaState::kReady) {
    const auto it = std::lower_bound(ready_.begin(), ready_.end(), r, by_id);
    if (it != ready_.end() && *it == r) ready_.erase(it);
  }
  if (replica.state() == ReplicaState::kReady)
    ready_.insert(std::upper_bound(ready_.begin(), ready_.end(), r, by_id), r);
  on_replica_state.emit(replica, previous);
  if (replica.state() == ReplicaState::kReady) {
    while (!backlog_.empty() && !ready_.empty()) {
      const ServingRequest request = backlog_.front();
      backlog_.pop_front();
      dispatch(request);
    }
  }
}

void RequestRouter::relay_done(const RequestOutcome& outcome) {
  ++status_counts_[static_cast<std::size_t>(outcome.status)];
  on_request_done.emit(outcome);
}

std::size_t RequestRouter::queued() const {
  std::size_t n = backlog_.size();
  for (const auto& r : replicas_) n += r->waiting();
  return n;
}

std::size_t RequestRouter::running() const {
  std::size_t n = 0;
  for (const auto& r : replicas_) n += r->running();
  return n;
}

std::int64_t RequestRouter::gpus_in_use() const {
  std::int64_t n = 0;
  for (const auto& r : replicas_)
    if (r->state() != ReplicaState::kStopped) n += r->spec().gpus;
  return n;
}

void RequestRouter::submit(ServingRequest request) {
  ++arrived_;
  const std::int64_t window = spec_.context_window;
  bool refuse = false;
  if (window > 0 && request.input_tokens + request.output_tokens > window) {
    ++over_context_;
    refuse = spec_.context_overflow == ContextOverflow::kRefuse || request.input_tokens >= window;
    if (!refuse) request.output_tokens = window - request.input_tokens;
  }
  if (refuse ||
      (spec_.max_queued_requests > 0 && queued() >= static_cast<std::size_t>(spec_.max_queued_requests))) {
    RequestOutcome o = outcome_before_replica(request, RequestStatus::kRejected);
    o.finish = engine_.now();
    relay_done(o);
    return;
  }
  if (ready_.empty()) {
    backlog_.push_back(request);
    return;
  }
  dispatch(request);
}

void RequestRouter::deliver(const ServingRequest& request, Replica& replica) {
  ++arrived_;
  replica.enqueue(request);
}

void RequestRouter::dispatch(const ServingRequest& request) {
  choose(request)->enqueue(request);
}

Replica* RequestRouter::least_outstanding() const {
  Replica* best = ready_.front();
  for (Replica* r : ready_)
    if (r->outstanding() < best->outstanding()) best = r;
  return best;
}

Replica* RequestRouter::choose(const ServingRequest& request) {
  switch (spec_.policy) {
    case RoutingPolicy::kRoundRobin: {
      const auto it = std::upper_bound(ready_.begin(), ready_.end(), round_robin_last_,
                                       [](std::uint32_t id, const Replica* r) { return id < r->id(); });
      Replica* r = (it == ready_.end() || round_robin_last_ == UINT32_MAX) ? ready_.front() : *it;
      round_robin_last_ = r->id();
      return r;
    }
    case RoutingPolicy::kLeastOutstanding:
      return least_outstanding();
    case RoutingPolicy::kJoinShortestQueue: {
      Replica* best = ready_.front();
      for (Replica* r : ready_)
        if (r->waiting() < best->waiting() ||
            (r->waiting() == best->waiting() && r->outstanding() < best->outstanding()))
          best = r;
      return best;
    }
    case RoutingPolicy::kPowerOfTwo: {
      const std::uint64_t n = ready_.size();
      if (n == 1) return ready_.front();
      const std::uint64_t a = rng_.below(n);
      std::uint64_t b = rng_.below(n - 1);
      if (b >= a) ++b;  // distinct from a, uniform over the others
      Replica* ra = ready_[a];
      Replica* rb = ready_[b];
      return rb->outstanding() < ra->outstanding() ? rb : ra;
    }
    case RoutingPolicy::kPrefixAffinity: {
      Replica* best = ready_.front();
      std::int64_t longest = best->cached_prefix_blocks(request);
      for (Replica* r : ready_) {
        const std::int64_t cached = r->cached_prefix_blocks(request);
        if (cached > longest || (cached == longest && r->outstanding() < best->outstanding())) {
          best = r;
          longest = cached;
        }
      }
      Replica* least = least_outstanding();
      const auto load = static_cast<double>(best->outstanding());
      const auto least_load = static_cast<double>(least->outstanding());
      if (load > least_load + static_cast<double>(spec_.affinity_margin) && load > spec_.affinity_ratio * least_load)
        return least;
      return best;
    }
  }
  return ready_.front();
}

void RequestRouter::finish_run() {
  while (!backlog_.empty()) {
    const ServingRequest request = backlog_.front();
    backlog_.pop_front();
    relay_done(outcome_before_replica(request, RequestStatus::kUnfinished));
  }
  for (const auto& r : replicas_) r->abandon_unfinished();
}

}  // namespace cs
