#pragma once
// The scheduling half of a replica: given the sequences it holds and its KV cache, which of
// them compute which tokens in the next iteration. A planner is pure bookkeeping — no events,
// no time, no prices — so a policy is tested by driving it iteration by iteration; the
// Replica (sim/serving/replica.hpp) prices the batch it returns and runs the iterations.
// Each SchedulerMode is one BatchPlanner subclass (sim/serving/scheduler_modes.cpp).
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "sim/engine/slot_pool.hpp"
#include "sim/serving/iteration_cost_model.hpp"
#include "sim/serving/kv_block_allocator.hpp"
#include "sim/serving/replica_spec.hpp"
#include "sim/serving/serving_request.hpp"

namespace cs {

// One request inside a replica.
struct Sequence {
  ServingRequest request;
  std::optional<Time> first_scheduled;  // empty until it happens
  std::optional<Time> phase_scheduled;  // on this replica (a decode-only request's first_scheduled is its prefill's)
  std::optional<Time> first_token;
  std::int64_t computed = 0;     // tokens whose KV is in the cache (or in host memory, swapped out)
  std::int64_t generated = 0;    // output tokens produced
  std::int64_t blocks = 0;       // KV blocks held (reserved ahead of need by no-evict policies)
  std::int64_t step_tokens = 0;  // tokens computed in the iteration in flight
  std::int32_t preemptions = 0;
  std::int64_t recomputed_tokens = 0;  // KV thrown away by recompute preemptions
  std::int64_t swapped_tokens = 0;     // KV copied to host memory by swap preemptions
  bool prefilling = true;  // admitted (or re-admitted) and not yet produced a token since
  // Prefix caching: the leading prefix ids whose cached entries it holds, and the tokens they
  // cover (the first shared_tokens of `computed`, not in its own `blocks`).
  std::int64_t prefix_held = 0;
  std::int64_t shared_tokens = 0;
  std::int64_t cached_tokens = 0;  // prompt tokens found cached at its last admission
  bool swapped_out = false;  // its KV waits in host memory (swap preemption)

  // Tokens known (prompt + generated) but not in the cache.
  std::int64_t pending() const { return request.input_tokens + generated - computed; }
  // Its own blocks' tokens once `tokens` more are computed.
  std::int64_t own_tokens(std::int64_t tokens = 0) const { return computed + tokens - shared_tokens; }
  std::span<const std::int64_t> held_ids() const {
    return std::span<const std::int64_t>(*request.prefix_ids).first(static_cast<std::size_t>(prefix_held));
  }
};

// What a planner reads and changes: the sequences, their two queues and the KV blocks.
struct SchedulerState {
  explicit SchedulerState(const ReplicaSpec& spec)
      : kv(kv_cache_blocks(spec), spec.kv_block_tokens, host_cache_blocks(spec)) {}
  SlotPool<Sequence> slots;
  std::deque<std::uint32_t> waiting;    // arrival order; preempted sequences go back to the front
  std::vector<std::uint32_t> running;   // admission order: preemption takes from the back
  KvBlockAllocator kv;
  std::uint64_t preemptions = 0;
  // Prefix caching: prompt tokens admitted fresh (nothing computed yet) and how many of them
  // were found cached, so their prefill was skipped, of which in the host tier (counters).
  std::uint64_t prefix_lookup_tokens = 0;
  std::uint64_t prefix_hit_tokens = 0;
  std::uint64_t prefix_host_hit_tokens = 0;
};

// The next iteration as a planner leaves it: every running sequence with step_tokens > 0
// computes them; the batch below is what the cost model prices.
struct BatchPlan {
  std::vector<PrefillChunk> prefills;
  std::int64_t decodes = 0;
  std::int64_t decode_context = 0;  // Σ tokens cached over the decoding sequences
  std::int64_t swap_tokens = 0;     // KV tokens copied to or from host memory before the forward pass
  std::int64_t host_load_tokens = 0;  // cached prefix KV tokens copied back from the host tier, layer by layer
  bool preempted = false;
  std::vector<std::uint32_t> admitted;  // slots moved from waiting to running by this plan
  std::vector<std::uint32_t> dropped;   // slots taken out of the queues: never servable (the replica reports them)

  void clear();
  bool empty() const { return prefills.empty() && decodes == 0; }
};

// The prefix ids a cache hit of `request` may cover: those of blocks wholly inside its prompt
// but its last token, which must be computed to produce the first output token.
std::span<const std::int64_t> reusable_prefix_ids(const ServingRequest& request);

class BatchPlanner {
 public:
  explicit BatchPlanner(const ReplicaSpec& spec);
  virtual ~BatchPlanner() = default;
  // Plans the next iteration into `plan` (cleared first).
  virtual void plan(SchedulerState& state, BatchPlan& plan) const = 0;
  // Whether a request arriving at an empty replica could ever be served under this policy.
  virtual bool can_ever_serve(const ServingRequest& request, const KvBlockAllocator& kv) const;

 protected:
  // How waiting sequences are admitted, the part in which the engines differ most.
  struct AdmitRules {
    bool chunk = false;             // a prompt is split to fit the token budget left
    bool round_chunks = false;      // a partial chunk is a whole number of KV blocks (TensorRT-LLM)
    bool skip_oversized = false;    // a prompt over the budget left waits, later ones may go (vLLM v1);
                                    // otherwise the scan stops at it
    bool reserve_whole = false;     // blocks for prompt + every output token are taken at admission
    bool padded_budget = false;     // the budget counts sequences × longest prompt (vLLM v0)
    std::int64_t max_paddings = 0;  // padded budget: pad tokens allowed in the batch (0: any)
    bool token_budget = true;       // false: only sequences and KV blocks limit admission (Orca)
    bool resume_only = false;       // only swapped-out sequences (at the front) come back
    std::int64_t keep_free_blocks = 0;  // KV watermark
  };

  // Running sequences in admission order: a decode token each, or their next prompt chunk of
  // at most `chunk_cap`, within `budget` (spent as it goes); a sequence whose next blocks are
  // not free preempts the newest running ones (itself last).
  void schedule_running(SchedulerState& state, BatchPlan& plan, std::int64_t& budget, std::int64_t chunk_cap) const;
  // Waiting sequences from the front while sequences, budget and blocks last. Returns how many
  // were admitted.
  int admit(SchedulerState& state, BatchPlan& plan, std::int64_t& budget, std::int64_t chunk_cap,
            const AdmitRules& rules) const;
  void preempt(SchedulerState& state, std::uint32_t slot, BatchPlan& plan) const;
  // Prefix caching, for a sequence with nothing computed: how many of its reusable prefix ids
  // are cached, from the first.
  std::int64_t cached_prefix_ids(const SchedulerState& state, const Sequence& s) const;
  // Adds running sequence `s` computing `tokens` to the batch.
  static void add_to_batch(Sequence& s, std::int64_t tokens, BatchPlan& plan);
  // Blocks a sequence needs to hold for its whole life.
  static std::int64_t lifetime_blocks(const ServingRequest& request, const KvBlockAllocator& kv) {
    // The cache holds at most prompt + output − 1 tokens (the last token is never fed back).
    return kv.blocks_for(request.input_tokens + request.last_token() - 1);
  }
  // Its own blocks over its whole life, besides the cached prefix it holds.
  static std::int64_t own_lifetime_blocks(const Sequence& s, const KvBlockAllocator& kv) {
    return kv.blocks_for(s.request.input_tokens + s.request.output_tokens - 1 - s.shared_tokens);
  }
  std::int64_t chunk_cap() const {
    return spec_.chunked_prefill && spec_.prefill_chunk_tokens > 0 ? spec_.prefill_chunk_tokens
                                                                    : spec_.max_batched_tokens;
  }

  ReplicaSpec spec_;
};

// The planner of spec.scheduler; throws std::invalid_argument for settings the mode does not
// have (chunked prefill under vllm_v0 or orca).
std::unique_ptr<BatchPlanner> make_batch_planner(const ReplicaSpec& spec);

}  // namespace cs
