// One BatchPlanner per SchedulerMode: the batch-forming policies of the serving engines, each
// from the engine's documentation or source (docs/SCENARIOS.md, `scheduler:`).
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "sim/serving/batch_planner.hpp"

namespace cs {

namespace {

// vLLM before the V1 engine (vllm/core/scheduler.py, `_schedule_default`, v0.2–v0.6): while a
// prompt is waiting and can be admitted, an iteration prefills prompts only and every running
// decode pauses for it. Prompts are admitted first come, first served while (admitted + 1) ×
// the longest of them stays within max_num_batched_tokens (v0.2's padded batch: prompts were
// padded to the longest) with at most max_paddings = 256 pad tokens (v0.2's SchedulerConfig
// default), max_num_seqs holds, and the block manager can allocate the prompt
// leaving its watermark (1% of the blocks) free; the first that does not fit ends the scan.
// Otherwise the iteration decodes every running sequence, preempting the newest when a block
// is short, and swapped-out sequences come back first (no prompt is admitted while one is out).
class VllmV0Planner final : public BatchPlanner {
  static constexpr std::int64_t kMaxPaddings = 256;

 public:
  explicit VllmV0Planner(const ReplicaSpec& spec)
      : BatchPlanner(spec),
        watermark_blocks_(static_cast<std::int64_t>(std::floor(spec.kv_watermark * kv_cache_blocks(spec)))) {}

  void plan(SchedulerState& state, BatchPlan& plan) const override {
    plan.clear();
    std::int64_t budget = spec_.max_batched_tokens;
    if (!state.waiting.empty() && state.slots[state.waiting.front()].computed == 0) {
      AdmitRules prompts;
      prompts.padded_budget = true;
      prompts.max_paddings = kMaxPaddings;
      prompts.keep_free_blocks = watermark_blocks_;
      if (admit(state, plan, budget, budget, prompts) > 0) return;
    }
    schedule_running(state, plan, budget, budget);
    if (plan.preempted) return;
    AdmitRules resume;
    resume.resume_only = true;
    resume.keep_free_blocks = watermark_blocks_;
    admit(state, plan, budget, budget, resume);
  }

  bool can_ever_serve(const ServingRequest& request, const KvBlockAllocator& kv) const override {
    // The block manager's NEVER: a prompt that cannot be allocated in an empty cache.
    return BatchPlanner::can_ever_serve(request, kv) &&
           kv.blocks_for(request.input_tokens) + watermark_blocks_ <= kv.total();
  }

 private:
  std::int64_t watermark_blocks_;
};

// vLLM V1 (vllm/v1/core/sched/scheduler.py) and SGLang: running sequences first, each one
// decode token or its next prompt chunk, then waiting prompts in arrival order in the token
// budget left. With chunked prefill a prompt takes what is left (at most
// prefill_chunk_tokens, V1's long_prefill_token_threshold); without it a prompt larger than
// what is left is skipped for this iteration while later, shorter ones may go. A prompt whose
// blocks are not free ends the scan. Not after a preemption: admitting would only evict again.
class VllmV1Planner final : public BatchPlanner {
 public:
  using BatchPlanner::BatchPlanner;
  void plan(SchedulerState& state, BatchPlan& plan) const override {
    plan.clear();
    std::int64_t budget = spec_.max_batched_tokens;
    schedule_running(state, plan, budget, chunk_cap());
    if (plan.preempted && !plan.empty()) return;
    AdmitRules rules;
    rules.chunk = spec_.chunked_prefill;
    rules.skip_oversized = true;
    admit(state, plan, budget, chunk_cap(), rules);
  }
};

// TensorRT-LLM in-flight batching (cpp/tensorrt_llm/batch_manager: capacityScheduler,
// microBatchScheduler; docs "Paged Attention, IFB, and Request Scheduling"). The capacity
// scheduler picks the requests that may hold KV blocks; the micro-batch scheduler then walks
// them in arrival order — generation requests cost one token, a context its whole prompt or,
// with chunked context, a chunk of what max_num_tokens leaves (first come, first served,
// rounded down to whole KV blocks) — and stops at the first that does not fit.
//   MAX_UTILIZATION: admits a request when its prompt's blocks are free and pauses (evicts)
//     the most recently started ones when a running request needs a block.
//   GUARANTEED_NO_EVICT: admits a request only when blocks for its prompt and all its output
//     are free, reserved at once, so nothing is ever evicted.
class TrtllmPlanner final : public BatchPlanner {
 public:
  TrtllmPlanner(const ReplicaSpec& spec, bool no_evict) : BatchPlanner(spec), no_evict_(no_evict) {}
  void plan(SchedulerState& state, BatchPlan& plan) const override {
    plan.clear();
    std::int64_t budget = spec_.max_batched_tokens;
    schedule_running(state, plan, budget, chunk_cap());
    if (plan.preempted && !plan.empty()) return;
    AdmitRules rules;
    rules.chunk = spec_.chunked_prefill;
    rules.round_chunks = true;
    rules.reserve_whole = no_evict_;
    admit(state, plan, budget, chunk_cap(), rules);
  }

 private:
  bool no_evict_;
};

// Orca (Yu et al., "Orca: A Distributed Serving System for Transformer-Based Generative
// Models", OSDI '22, §4.2 and Algorithm 1): iteration-level scheduling with selective
// batching, so whole prompts run beside the decodes of the same iteration. Requests are taken
// first come, first served up to the maximum batch size while the KV slots reserved for each
// one's prompt plus maximum output fit; the first that does not fit ends the scan. There is
// no token budget and nothing is ever preempted.
class OrcaPlanner final : public BatchPlanner {
 public:
  using BatchPlanner::BatchPlanner;
  void plan(SchedulerState& state, BatchPlan& plan) const override {
    plan.clear();
    std::int64_t budget = std::numeric_limits<std::int64_t>::max();
    schedule_running(state, plan, budget, budget);
    AdmitRules rules;
    rules.reserve_whole = true;
    rules.token_budget = false;
    admit(state, plan, budget, budget, rules);
  }
  bool can_ever_serve(const ServingRequest& request, const KvBlockAllocator& kv) const override {
    return lifetime_blocks(request, kv) <= kv.total();
  }
};

}  // namespace

std::unique_ptr<BatchPlanner> make_batch_planner(const ReplicaSpec& spec) {
  const auto refuse_chunking = [&spec] {
    if (spec.chunked_prefill)
      throw std::invalid_argument("scheduler " + std::string(scheduler_mode_name(spec.scheduler)) +
                                  " has no chunked prefill (use vllm_v1 or a trtllm mode)");
  };
  switch (spec.scheduler) {
    case SchedulerMode::kVllmV0:
      refuse_chunking();
      if (!(spec.kv_watermark >= 0 && spec.kv_watermark < 1))
        throw std::invalid_argument("kv_watermark must be in [0, 1)");
      return std::make_unique<VllmV0Planner>(spec);
    case SchedulerMode::kVllmV1:
      return std::make_unique<VllmV1Planner>(spec);
    case SchedulerMode::kTrtllmMaxUtilization:
      return std::make_unique<TrtllmPlanner>(spec, false);
    case SchedulerMode::kTrtllmNoEvict:
      return std::make_unique<TrtllmPlanner>(spec, true);
    case SchedulerMode::kOrca:
      refuse_chunking();
      return std::make_unique<OrcaPlanner>(spec);
  }
  throw std::invalid_argument("unknown scheduler mode");
}

}  // namespace cs
