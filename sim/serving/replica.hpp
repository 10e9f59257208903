#pragma once
// One model instance (TP·PP GPUs) serving requests with iteration-level scheduling: the event
// mechanics of its iterations. Which sequences compute which tokens in each iteration is the
// BatchPlanner's (sim/serving/batch_planner.hpp) for the spec's scheduler mode, over a paged
// KV cache of fixed-size blocks (KvBlockAllocator); the replica prices the batch with an
// IterationCostModel, adds the time of KV copies to host memory when sequences are swapped,
// and ends the iteration one event later. A run of decode-only iterations with nothing
// waiting is priced step by step but scheduled as one event (max_fused_decode_steps), cut
// short at the next step boundary when a request arrives, so results are the same as
// stepping one iteration at a time (with prefix caching, but for cached blocks the run evicts
// at its start that an arrival cutting it short might have found).
#include <cstdint>
#include <optional>
#include <deque>
#include <memory>
#include <string_view>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/engine/signal.hpp"
#include "sim/serving/batch_planner.hpp"
#include "sim/serving/iteration_cost_model.hpp"
#include "sim/serving/replica_spec.hpp"
#include "sim/serving/serving_request.hpp"

namespace cs {

enum class ReplicaState : std::uint8_t { kProvisioning, kLoadingWeights, kReady, kDraining, kStopped };
std::string_view replica_state_name(ReplicaState state);

// One iteration as it ran (a step of a fused decode run is one).
struct IterationRecord {
  std::uint32_t replica = 0;
  Time start;
  Time end;
  std::int64_t prefill_tokens = 0;
  std::int64_t decode_sequences = 0;
  std::int64_t batch_size = 0;  // sequences computing in it: prompts (or chunks) + decodes
};

class Replica {
 public:
  // Throws std::invalid_argument for limits that cannot serve anything (no KV block, ...).
  Replica(Engine& engine, std::uint32_t id, const ReplicaSpec& spec, std::shared_ptr<const IterationCostModel> cost);
  Replica(const Replica&) = delete;
  Replica& operator=(const Replica&) = delete;

  // Boots the instance: provisioning for `provisioning`, then loading weights for
  // `weight_load`, then ready. Zero delays make it ready at once (a pre-warmed replica).
  void start(Time provisioning, Time weight_load);
  // Boots the instance with its weights brought by someone else (a WeightLoader, as flows on
  // the fabric): provisioning for `provisioning`, then kLoadingWeights until weights_loaded().
  // Whoever loads listens to on_state_change: kLoadingWeights is the moment to begin, and a
  // change to kStopped from it (drain() while loading) the moment to give the load up.
  void start_awaiting_weights(Time provisioning);
  // The weights of a replica started awaiting them have landed: it is ready from now.
  void weights_loaded();
  // Accepts a request; only while ready. A request that can never fit this replica under its
  // scheduler (its prompt over the token budget without chunking, or prompt + output over the
  // whole KV cache) ends at once as dropped.
  void enqueue(const ServingRequest& request);
  // Stops taking requests, finishes those it has (queued and running), then stops. A replica
  // still booting stops at once.
  void drain();
  // End of the run: reports every request still queued or running as unfinished.
  void abandon_unfinished();

  // Completed, dropped and unfinished requests (exactly once each).
  Signal<const RequestOutcome&> on_request_done;
  // When a request's first output token is produced (its TTFT is known from here on).
  Signal<const RequestOutcome&> on_first_token;
  Signal<const Replica&, ReplicaState /*previous*/> on_state_change;
  // At the end of every iteration (a fused decode run: once per step), for trace exporters.
  Signal<const IterationRecord&> on_iteration_end;

  std::uint32_t id() const { return id_; }
  const ReplicaSpec& spec() const { return spec_; }
  ReplicaState state() const { return state_; }
  bool accepting() const { return state_ == ReplicaState::kReady; }
  // Gauges for the router, the autoscaler and the metrics layer.
  std::size_t waiting() const { return sched_.waiting.size(); }
  std::size_t running() const { return sched_.running.size(); }
  std::size_t outstanding() const { return sched_.waiting.size() + sched_.running.size(); }
  std::int64_t kv_blocks_total() const { return sched_.kv.total(); }
  std::int64_t kv_blocks_used() const;
  // Prefix caching: blocks cached that no request holds (evictable), blocks neither held nor
  // cached, blocks evicted so far, and prompt tokens admitted fresh and found cached.
  std::int64_t kv_blocks_cached() const { return sched_.kv.cached(); }
  std::int64_t kv_blocks_free() const { return sched_.kv.free(); }
  std::int64_t kv_blocks_evicted() const { return sched_.kv.evicted_blocks(); }
  std::uint64_t prefix_lookup_tokens() const { return sched_.prefix_lookup_tokens; }
  std::uint64_t prefix_hit_tokens() const { return sched_.prefix_hit_tokens; }
  // The host tier (replica.host_cache): blocks in it now; blocks moved to it, brought back from
  // it and dropped from it, and prompt tokens found there (counters); seconds its copies back
  // took on the host links and the part of them the forward pass did not hide (counters).
  std::int64_t kv_blocks_host() const { return sched_.kv.host_used(); }
  std::int64_t kv_blocks_offloaded() const { return sched_.kv.offloaded_blocks(); }
  std::int64_t kv_blocks_host_loaded() const { return sched_.kv.host_loaded_blocks(); }
  std::int64_t kv_blocks_host_evicted() const { return sched_.kv.host_evicted_blocks(); }
  std::uint64_t prefix_host_hit_tokens() const { return sched_.prefix_host_hit_tokens; }
  double host_load_seconds() const { return static_cast<double>(host_load_ns_) / 1e9; }
  double host_load_exposed_seconds() const { return static_cast<double>(host_load_exposed_ns_) / 1e9; }
  // Leading prefix blocks of `request` cached here now (0 without prefix caching).
  std::int64_t cached_prefix_blocks(const ServingRequest& request) const;
  std::uint64_t tokens_generated() const;  // output tokens produced so far (a counter)
  double busy_seconds() const;             // time with an iteration in flight (a counter)
  // Model FLOPs of the iterations (fused decode steps: of the steps) finished so far (a counter).
  double flops_executed() const;
  bool iterating() const { return busy_; }
  std::uint64_t iterations() const { return iterations_; }  // scheduler iterations (fused steps count one each)
  std::uint64_t preemptions() const { return sched_.preemptions; }
  std::uint64_t completed() const { return completed_; }

 private:
  void set_state(ReplicaState next);
  void become_ready();
  void start_iteration();
  void plan_fused_steps(std::int64_t decodes, std::int64_t context, Time first_step);
  void finish_iteration();
  void truncate_fused_steps();
  std::size_t fused_steps_done() const;
  double fused_flops(std::int64_t steps) const;  // FLOPs of the first `steps` steps in flight
  void emit_iterations(Time now);
  void produce_token(Sequence& s, Time now);
  // Prefix caching: the sequence's own blocks wholly inside its first `tokens` tokens that its
  // prefix ids name become cached entries it holds.
  void cache_full_blocks(Sequence& s, std::int64_t tokens);
  // `finish`: empty for a request still unfinished when the run ends.
  void release(std::uint32_t slot, RequestStatus status, std::optional<Time> finish);
  RequestOutcome outcome_of(const Sequence& s, RequestStatus status, std::optional<Time> finish) const;
  void stop_if_drained();

  Engine& engine_;
  std::uint32_t id_;
  ReplicaSpec spec_;
  std::shared_ptr<const IterationCostModel> cost_;
  std::unique_ptr<BatchPlanner> planner_;
  SchedulerState sched_;  // sequences (in recycled slots), their queues, the KV blocks
  ReplicaState state_ = ReplicaState::kProvisioning;
  bool started_ = false;
  bool awaiting_weights_ = false;  // started by start_awaiting_weights
  EventHandle boot_event_;

  // After the model events of an instant, before observers sample it.
  static constexpr Priority kWakePriority = Priority::kSettle;
  EventHandle wake_event_;  // pending start of an iteration on an idle replica

  // The iteration in flight.
  bool busy_ = false;
  EventHandle end_event_;
  Time iteration_start_;
  BatchPlan plan_;  // reused: no allocation per iteration
  // Fused decode steps: end time of each step, and KV blocks reserved through each step
  // beyond the first; steps_ == 1 for an ordinary iteration.
  std::size_t steps_ = 1;
  std::int64_t fused_decodes_ = 0;
  std::vector<Time> step_end_;
  std::vector<std::int64_t> step_blocks_;
  std::vector<Time> step_time_;  // scratch: the fused steps' durations, priced together
  std::vector<std::int64_t> block_phase_;
  // FLOPs of the iteration in flight: its first step, and for fused steps the growth per step
  // (decode FLOPs are linear in the context, which grows by one token per sequence a step).
  double step_flops_ = 0;
  double step_flops_growth_ = 0;
  double flops_ = 0;

  std::uint64_t tokens_generated_ = 0;
  std::int64_t busy_ns_ = 0;
  std::int64_t host_load_ns_ = 0;
  std::int64_t host_load_exposed_ns_ = 0;
  std::uint64_t iterations_ = 0;
  std::uint64_t completed_ = 0;
};

}  // namespace cs
