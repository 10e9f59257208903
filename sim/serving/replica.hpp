#pragma once
// One model instance (TP·PP GPUs) serving requests with an iteration-level scheduler, the way
// vLLM-class engines do:
//   * continuous batching: every iteration runs one decode step for each running sequence and
//     prefills newly admitted ones, within max_num_seqs sequences and max_batched_tokens tokens;
//   * optional chunked prefill: a long prompt is computed over several iterations, in chunks
//     that fill the token budget left after the decodes;
//   * a paged KV cache of fixed-size blocks; when a running sequence needs a block and none is
//     free, the most recently admitted sequence is preempted by recomputation (its blocks are
//     freed, it goes back to the head of the queue and later prefills prompt + generated
//     tokens again).
// Iteration time comes from an IterationCostModel. One event per iteration; a run of
// decode-only iterations with nothing waiting is priced step by step but scheduled as one
// event (max_fused_decode_steps), cut short at the next step boundary when a request arrives,
// so results are the same as stepping one iteration at a time.
#include <cstdint>
#include <deque>
#include <memory>
#include <string_view>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/engine/signal.hpp"
#include "sim/engine/slot_pool.hpp"
#include "sim/serving/iteration_cost_model.hpp"
#include "sim/serving/serving_request.hpp"

namespace cs {

enum class ReplicaState : std::uint8_t { kProvisioning, kLoadingWeights, kReady, kDraining, kStopped };
std::string_view replica_state_name(ReplicaState state);

struct ReplicaSpec {
  int gpus = 1;  // TP × PP: what the provider bills and what its capacity limit counts
  int max_num_seqs = 256;
  std::int64_t max_batched_tokens = 8192;
  bool chunked_prefill = false;
  std::int64_t prefill_chunk_tokens = 0;  // per sequence and iteration; 0: only the token budget limits
  std::int64_t kv_block_tokens = 16;
  double kv_bytes_per_token = 0;  // 2 · layers · kv_heads · head_dim · bytes, per GPU share summed
  double kv_cache_bytes = 0;      // memory left for the KV cache after weights and activations
  // Decode-only iterations priced together and scheduled as one event; 1 disables fusion.
  int max_fused_decode_steps = 64;
};

// KV blocks the spec gives: floor(kv_cache_bytes / (kv_block_tokens · kv_bytes_per_token)).
std::int64_t kv_cache_blocks(const ReplicaSpec& spec);

class Replica {
 public:
  // Throws std::invalid_argument for limits that cannot serve anything (no KV block, ...).
  Replica(Engine& engine, std::uint32_t id, const ReplicaSpec& spec, std::shared_ptr<const IterationCostModel> cost);
  Replica(const Replica&) = delete;
  Replica& operator=(const Replica&) = delete;

  // Boots the instance: provisioning for `provisioning`, then loading weights for
  // `weight_load`, then ready. Zero delays make it ready at once (a pre-warmed replica).
  void start(Time provisioning, Time weight_load);
  // Accepts a request; only while ready. A request that can never fit this replica (its
  // prompt over the token budget without chunking, or prompt + output over the whole KV
  // cache) ends at once as dropped.
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
  // After each iteration (a fused run of decode steps is one): replica id, start, end, prefill
  // tokens computed, sequences decoding, sequences in the batch.
  Signal<std::uint32_t, Time, Time, std::int64_t, std::int64_t, std::int64_t> on_iteration_end;

  std::uint32_t id() const { return id_; }
  const ReplicaSpec& spec() const { return spec_; }
  ReplicaState state() const { return state_; }
  bool accepting() const { return state_ == ReplicaState::kReady; }
  // Gauges for the router, the autoscaler and the metrics layer.
  std::size_t waiting() const { return waiting_.size(); }
  std::size_t running() const { return running_.size(); }
  std::size_t outstanding() const { return waiting_.size() + running_.size(); }
  std::int64_t kv_blocks_total() const { return total_blocks_; }
  std::int64_t kv_blocks_used() const;
  std::uint64_t tokens_generated() const;  // output tokens produced so far (a counter)
  double busy_seconds() const;             // time with an iteration in flight (a counter)
  // Model FLOPs of the iterations (fused decode steps: of the steps) finished so far (a counter).
  double flops_executed() const;
  bool iterating() const { return busy_; }
  std::uint64_t iterations() const { return iterations_; }  // scheduler iterations (fused steps count one each)
  std::uint64_t preemptions() const { return preemptions_; }
  std::uint64_t completed() const { return completed_; }

 private:
  struct Sequence {
    ServingRequest request;
    Time first_scheduled = kNever;
    Time first_token = kNever;
    std::int64_t computed = 0;     // tokens whose KV is in the cache
    std::int64_t generated = 0;    // output tokens produced
    std::int64_t blocks = 0;       // KV blocks held
    std::int64_t step_tokens = 0;  // tokens computed in the iteration in flight
    std::int32_t preemptions = 0;
    bool prefilling = true;  // admitted (or re-admitted) and not yet produced a token since
  };
  std::int64_t blocks_for(std::int64_t tokens) const {
    return (tokens + spec_.kv_block_tokens - 1) / spec_.kv_block_tokens;
  }
  // Tokens known (prompt + generated) but not in the cache.
  static std::int64_t pending(const Sequence& s) { return s.request.input_tokens + s.generated - s.computed; }
  std::int64_t free_blocks() const { return total_blocks_ - used_blocks_; }

  void set_state(ReplicaState next);
  void become_ready();
  void start_iteration();
  void plan_fused_steps(std::int64_t decodes, std::int64_t context, Time first_step);
  void finish_iteration();
  void truncate_fused_steps();
  std::size_t fused_steps_done() const;
  double fused_flops(std::int64_t steps) const;  // FLOPs of the first `steps` steps in flight
  void preempt(std::uint32_t slot);
  void produce_token(Sequence& s, Time now);
  void release(std::uint32_t slot, RequestStatus status, Time finish);
  RequestOutcome outcome_of(const Sequence& s, RequestStatus status, Time finish) const;
  void stop_if_drained();

  Engine& engine_;
  std::uint32_t id_;
  ReplicaSpec spec_;
  std::shared_ptr<const IterationCostModel> cost_;
  std::int64_t total_blocks_;
  std::int64_t used_blocks_ = 0;
  ReplicaState state_ = ReplicaState::kProvisioning;
  bool started_ = false;
  EventHandle boot_event_;

  // Sequences live in recycled slots; the queues hold slot numbers.
  SlotPool<Sequence> slots_;
  std::deque<std::uint32_t> waiting_;
  std::vector<std::uint32_t> running_;  // in admission order: preemption takes from the back

  // After the model events of an instant, before observers sample it.
  static constexpr Priority kWakePriority = static_cast<Priority>(32);
  EventHandle wake_event_;  // pending start of an iteration on an idle replica

  // The iteration in flight.
  bool busy_ = false;
  EventHandle end_event_;
  Time iteration_start_;
  std::vector<PrefillChunk> chunks_;  // reused: no allocation per iteration
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
  std::uint64_t iterations_ = 0;
  std::uint64_t preemptions_ = 0;
  std::uint64_t completed_ = 0;
};

}  // namespace cs
