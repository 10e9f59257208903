#include "sim/serving/batch_planner.hpp"

#include <algorithm>

namespace cs {

void BatchPlan::clear() {
  prefills.clear();
  decodes = 0;
  decode_context = 0;
  swap_tokens = 0;
  host_load_tokens = 0;
  preempted = false;
  admitted.clear();
  dropped.clear();
}

BatchPlanner::BatchPlanner(const ReplicaSpec& spec) : spec_(spec) {}

bool BatchPlanner::can_ever_serve(const ServingRequest& request, const KvBlockAllocator& kv) const {
  // A decode-only request computes one token at a time: its prompt's KV arrives computed.
  return lifetime_blocks(request, kv) <= kv.total() &&
         (spec_.chunked_prefill || request.phase == RequestPhase::kDecodeOnly ||
          request.input_tokens <= spec_.max_batched_tokens);
}

std::span<const std::int64_t> reusable_prefix_ids(const ServingRequest& request) {
  if (!request.prefix_ids || request.prefix_block_tokens < 1) return {};
  const auto whole = static_cast<std::size_t>((request.input_tokens - 1) / request.prefix_block_tokens);
  return std::span<const std::int64_t>(*request.prefix_ids).first(std::min(whole, request.prefix_ids->size()));
}

std::int64_t BatchPlanner::cached_prefix_ids(const SchedulerState& state, const Sequence& s) const {
  if (!spec_.prefix_caching) return 0;
  return state.kv.cached_prefix(reusable_prefix_ids(s.request));
}

void BatchPlanner::add_to_batch(Sequence& s, std::int64_t tokens, BatchPlan& plan) {
  s.step_tokens = tokens;
  if (s.prefilling) {
    plan.prefills.push_back({tokens, s.computed});
  } else {
    ++plan.decodes;
    plan.decode_context += s.computed;
  }
}

void BatchPlanner::preempt(SchedulerState& state, std::uint32_t slot, BatchPlan& plan) const {
  Sequence& s = state.slots[slot];
  state.kv.give_back(s.blocks);
  s.blocks = 0;
  s.step_tokens = 0;
  if (spec_.preemption == PreemptionMode::kSwap && s.computed > 0) {
    // Its own KV goes to host memory and comes back whole: nothing is computed again. The
    // cached prefix it holds stays on the GPU, held.
    plan.swap_tokens += s.own_tokens();
    s.swapped_tokens += s.own_tokens();
    s.swapped_out = true;
  } else {
    s.recomputed_tokens += s.own_tokens();
    // The cached prefix stays cached (evictable now); re-admission looks it up again.
    if (s.prefix_held > 0) state.kv.release(s.held_ids());
    s.prefix_held = 0;
    s.shared_tokens = 0;
    s.computed = 0;
    s.prefilling = true;
  }
  ++s.preemptions;
  ++state.preemptions;
  plan.preempted = true;
  // Victims leave newest first, so pushing each to the front keeps admission order.
  state.waiting.push_front(slot);
}

void BatchPlanner::schedule_running(SchedulerState& state, BatchPlan& plan, std::int64_t& budget,
                                    std::int64_t chunk_cap) const {
  for (std::size_t i = 0; i < state.running.size(); ++i) {
    Sequence& s = state.slots[state.running[i]];
    s.step_tokens = 0;
    const std::int64_t want = s.prefilling ? std::min(s.pending(), chunk_cap) : s.pending();
    const std::int64_t tokens = std::min(want, budget);
    if (tokens <= 0) continue;  // token budget spent: this one sits the iteration out
    const std::int64_t need = std::max<std::int64_t>(0, state.kv.blocks_for(s.own_tokens(tokens)) - s.blocks);
    bool self_preempted = false;
    while (!state.kv.can_take(need)) {
      const std::uint32_t victim = state.running.back();
      state.running.pop_back();
      preempt(state, victim, plan);
      if (state.running.size() == i) {  // the victim was this sequence itself
        self_preempted = true;
        break;
      }
    }
    if (self_preempted) break;
    state.kv.take(need);
    s.blocks += need;
    budget -= tokens;
    add_to_batch(s, tokens, plan);
  }
}

int BatchPlanner::admit(SchedulerState& state, BatchPlan& plan, std::int64_t& budget, std::int64_t chunk_cap,
                        const AdmitRules& rules) const {
  int admitted = 0;
  std::int64_t longest = 0;  // padded budget: the longest prompt admitted so far
  std::int64_t padded_sum = 0;  // and the tokens of those admitted
  const auto max_seqs = static_cast<std::size_t>(spec_.max_num_seqs);
  std::size_t i = 0;
  while (i < state.waiting.size() && state.running.size() < max_seqs && (!rules.token_budget || budget > 0)) {
    const std::uint32_t slot = state.waiting[i];
    Sequence& s = state.slots[slot];
    // Its KV exists already: swapped out, or sent by a prefill replica (decode-only).
    const bool resumes = s.computed > 0;
    if (rules.resume_only && !resumes) break;
    // A prompt starting with cached blocks computes only what follows them; the cached ones
    // are held once it is admitted (until then they stay as they were).
    const std::int64_t hit_ids = resumes ? 0 : cached_prefix_ids(state, s);
    const std::span<const std::int64_t> hit =
        hit_ids > 0 ? std::span<const std::int64_t>(*s.request.prefix_ids).first(static_cast<std::size_t>(hit_ids))
                    : std::span<const std::int64_t>();
    if (!resumes) s.computed = s.shared_tokens = hit_ids * s.request.prefix_block_tokens;
    const auto not_admitted = [&s, resumes] {
      if (!resumes) s.computed = s.shared_tokens = 0;
    };
    const std::int64_t want = s.pending();
    if (rules.token_budget && !rules.chunk && want > spec_.max_batched_tokens) {
      // A preempted sequence whose prompt + generated tokens outgrew the batch: it can never
      // be recomputed without chunking.
      not_admitted();
      state.waiting.erase(state.waiting.begin() + static_cast<std::ptrdiff_t>(i));
      plan.dropped.push_back(slot);
      continue;
    }
    std::int64_t tokens = want;
    if (rules.token_budget && rules.chunk && s.prefilling) {
      tokens = std::min({want, budget, chunk_cap});
      if (rules.round_chunks && tokens < want) tokens -= tokens % state.kv.block_tokens();
      if (tokens == 0) {
        not_admitted();
        break;
      }
    }
    const std::int64_t padded = (admitted + 1) * std::max(longest, tokens);
    const bool fits =
        !rules.token_budget ||
        (rules.padded_budget ? padded <= spec_.max_batched_tokens &&
                                   (rules.max_paddings == 0 || padded - padded_sum - tokens <= rules.max_paddings)
                             : tokens <= budget);
    if (!fits) {
      not_admitted();
      if (rules.skip_oversized) {
        ++i;
        continue;
      }
      break;
    }
    const std::int64_t need = rules.reserve_whole ? std::max(own_lifetime_blocks(s, state.kv),
                                                             state.kv.blocks_for(s.own_tokens(tokens)))
                                                  : state.kv.blocks_for(s.own_tokens(tokens));
    // Holding the hit takes its blocks out of what eviction could free, and its host-tier
    // blocks back into GPU memory.
    const std::int64_t hit_blocks = hit.empty() ? 0 : state.kv.evictable_blocks(hit) + state.kv.host_blocks(hit);
    if (!state.kv.can_take(need + hit_blocks, rules.keep_free_blocks)) {
      not_admitted();
      break;
    }
    state.waiting.erase(state.waiting.begin() + static_cast<std::ptrdiff_t>(i));
    state.running.push_back(slot);
    const std::int64_t from_host = hit.empty() ? 0 : state.kv.hold(hit) * state.kv.block_tokens();
    plan.host_load_tokens += from_host;
    s.prefix_held = hit_ids;
    if (spec_.prefix_caching && !resumes) {
      s.cached_tokens = s.shared_tokens;
      state.prefix_lookup_tokens += static_cast<std::uint64_t>(s.request.input_tokens);
      state.prefix_hit_tokens += static_cast<std::uint64_t>(s.shared_tokens);
      state.prefix_host_hit_tokens += static_cast<std::uint64_t>(from_host);
    }
    state.kv.take(need);
    s.blocks = need;
    if (s.swapped_out) plan.swap_tokens += s.own_tokens();  // copied back in before the forward pass
    s.swapped_out = false;
    if (rules.padded_budget) {
      longest = std::max(longest, tokens);
      padded_sum += tokens;
    } else
      budget -= tokens;
    ++admitted;
    plan.admitted.push_back(slot);
    add_to_batch(s, tokens, plan);
  }
  return admitted;
}

}  // namespace cs
