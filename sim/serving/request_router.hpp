#pragma once
// Spreads the requests of one pool (one model on one kind of GPU) over its replicas. Only
// ready replicas receive requests; while none is ready, requests wait in the router's backlog
// and go out as soon as one is. Optional admission control rejects a request that arrives
// when the pool already has `max_queued_requests` waiting (counted and reported, never lost).
//
// The router owns the pool's replicas (those a static scenario builds and those the
// autoscaler adds) and relays their signals, so listeners connect once however replicas come
// and go. Stopped replicas are kept: their counters stay readable to the end of the run.
#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/engine/signal.hpp"
#include "sim/serving/replica.hpp"

namespace cs {

enum class RoutingPolicy : std::uint8_t {
  kRoundRobin,         // ready replicas in turn, by replica id
  kLeastOutstanding,   // fewest requests queued + running
  kJoinShortestQueue,  // fewest requests queued (not yet admitted); ties: fewest outstanding
  kPowerOfTwo,         // two distinct ready replicas at random, the one with fewer outstanding
  kPrefixAffinity,     // the longest cached prefix of the request, unless that replica is too loaded
};
std::string_view routing_policy_name(RoutingPolicy policy);

// What becomes of a request whose prompt + output exceeds the model's context window.
enum class ContextOverflow : std::uint8_t {
  kRefuse,  // rejected on arrival, as vLLM and TensorRT-LLM refuse it (the default)
  kClip,    // output cut to what the window leaves; a prompt that fills it alone is refused
};

struct RequestRouterSpec {
  std::string name;  // the pool; names the random stream "router:<name>" ("router" when empty)
  RoutingPolicy policy = RoutingPolicy::kLeastOutstanding;
  std::int64_t max_queued_requests = 0;  // admission control bound; 0: no admission control
  std::int64_t context_window = 0;       // the model's max context in tokens; 0: none
  ContextOverflow context_overflow = ContextOverflow::kRefuse;
  // prefix_affinity: the replica with the longest cached prefix of the request (ties: fewest
  // outstanding) takes it unless it has more than `affinity_margin` outstanding requests over
  // the least loaded ready replica and more than `affinity_ratio` times as many; then the least
  // loaded does. The defaults are the SGLang cache-aware router's balance_abs_threshold (64) and
  // balance_rel_threshold (1.5).
  std::int64_t affinity_margin = 64;
  double affinity_ratio = 1.5;
};

class RequestRouter {
 public:
  RequestRouter(Engine& engine, const RequestRouterSpec& spec);
  RequestRouter(const RequestRouter&) = delete;
  RequestRouter& operator=(const RequestRouter&) = delete;

  // Replicas are numbered 0, 1, 2 ... in the order they are added; a factory builds the next
  // one with next_replica_id(). Returns the replica, not yet started.
  std::uint32_t next_replica_id() const { return static_cast<std::uint32_t>(replicas_.size()); }
  Replica& add_replica(std::unique_ptr<Replica> replica);

  // Refuses or clips a request over the context window (counted), then admits or queues it.
  void submit(ServingRequest request);
  // A request for a ready replica the caller chose (the decode replica a disaggregated
  // deployment sent the request's KV to): counted as arrived, not subject to admission control.
  void deliver(const ServingRequest& request, Replica& replica);
  // End of the run: everything still in the backlog or on a replica is reported unfinished.
  void finish_run();

  // Every request's outcome, exactly once: completed, rejected, dropped or unfinished.
  Signal<const RequestOutcome&> on_request_done;
  Signal<const RequestOutcome&> on_first_token;
  Signal<const Replica&, ReplicaState /*previous*/> on_replica_state;

  const RequestRouterSpec& spec() const { return spec_; }
  // Requests whose prompt + output exceeded the context window (refused or clipped).
  std::uint64_t over_context() const { return over_context_; }
  const std::vector<std::unique_ptr<Replica>>& replicas() const { return replicas_; }
  const std::vector<Replica*>& ready_replicas() const { return ready_; }
  int count_in(ReplicaState state) const { return state_counts_[static_cast<std::size_t>(state)]; }
  // GPUs held by replicas that are not stopped (booting and draining ones are paid for too).
  std::int64_t gpus_in_use() const;
  std::size_t backlog() const { return backlog_.size(); }
  std::size_t queued() const;   // backlog + waiting on every replica
  std::size_t running() const;  // sequences in a batch on every replica
  std::uint64_t arrived() const { return arrived_; }
  std::uint64_t count_of(RequestStatus status) const { return status_counts_[static_cast<std::size_t>(status)]; }

 private:
  Replica* choose(const ServingRequest& request);
  Replica* least_outstanding() const;
  void dispatch(const ServingRequest& request);
  void relay_done(const RequestOutcome& outcome);
  void replica_changed(const Replica& replica, ReplicaState previous);

  Engine& engine_;
  RequestRouterSpec spec_;
  RandomStream& rng_;
  std::vector<std::unique_ptr<Replica>> replicas_;
  std::vector<Replica*> ready_;  // sorted by id
  std::uint32_t round_robin_last_ = UINT32_MAX;
  std::deque<ServingRequest> backlog_;
  std::array<int, 5> state_counts_{};
  std::array<std::uint64_t, 4> status_counts_{};
  std::uint64_t arrived_ = 0;
  std::uint64_t over_context_ = 0;
};

}  // namespace cs
