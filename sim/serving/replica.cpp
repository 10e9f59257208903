#include "sim/serving/replica.hpp"

#include "sim/serving/kv_host_copy.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace cs {

std::string_view replica_state_name(ReplicaState state) {
  switch (state) {
    case ReplicaState::kProvisioning:
      return "provisioning";
    case ReplicaState::kLoadingWeights:
      return "loading_weights";
    case ReplicaState::kReady:
      return "ready";
    case ReplicaState::kDraining:
      return "draining";
    case ReplicaState::kStopped:
      return "stopped";
  }
  return "unknown";
}

Replica::Replica(Engine& engine, std::uint32_t id, const ReplicaSpec& spec,
                 std::shared_ptr<const IterationCostModel> cost)
    : engine_(engine), id_(id), spec_(spec), cost_(std::move(cost)), planner_(make_batch_planner(spec)), sched_(spec) {
  if (!cost_) throw std::invalid_argument("a replica needs an iteration cost model");
  if (spec.gpus < 1) throw std::invalid_argument("a replica needs at least one GPU");
  if (spec.max_num_seqs < 1) throw std::invalid_argument("max_num_seqs must be at least 1");
  if (spec.max_batched_tokens < 1) throw std::invalid_argument("max_batched_tokens must be at least 1");
  if (spec.prefill_chunk_tokens < 0) throw std::invalid_argument("prefill_chunk_tokens must not be negative");
  if (spec.max_fused_decode_steps < 1) throw std::invalid_argument("max_fused_decode_steps must be at least 1");
  if (spec.preemption == PreemptionMode::kSwap && !(spec.swap_bytes_per_s > 0))
    throw std::invalid_argument("swap preemption needs a host-memory copy rate");
  if (spec.host_cache_bytes > 0 && !spec.prefix_caching)
    throw std::invalid_argument("a host tier of the KV cache needs prefix caching");
  if (spec.host_cache_bytes > 0 && (!(spec.swap_bytes_per_s > 0) || spec.kv_layers < 1))
    throw std::invalid_argument("a host tier of the KV cache needs a host-memory copy rate and the model's layers");
  sched_.running.reserve(static_cast<std::size_t>(spec.max_num_seqs));
  plan_.prefills.reserve(static_cast<std::size_t>(spec.max_num_seqs));
  block_phase_.resize(static_cast<std::size_t>(spec.kv_block_tokens));
}

void Replica::set_state(ReplicaState next) {
  const ReplicaState previous = state_;
  state_ = next;
  on_state_change.emit(*this, previous);
}

void Replica::start(Time provisioning, Time weight_load) {
  if (started_) throw std::logic_error("replica " + std::to_string(id_) + " started twice");
  if (provisioning < Time{} || weight_load < Time{}) throw std::invalid_argument("boot delays must not be negative");
  started_ = true;
  if (provisioning == Time{} && weight_load == Time{}) {
    become_ready();
    return;
  }
  // Loading starts when provisioning ends; one pending event at a time so drain() can cancel it.
  boot_event_ = engine_.schedule_in(provisioning, [this, weight_load] {
    set_state(ReplicaState::kLoadingWeights);
    boot_event_ = engine_.schedule_in(weight_load, [this] { become_ready(); });
  });
}

void Replica::start_awaiting_weights(Time provisioning) {
  if (started_) throw std::logic_error("replica " + std::to_string(id_) + " started twice");
  if (provisioning < Time{}) throw std::invalid_argument("boot delays must not be negative");
  started_ = true;
  awaiting_weights_ = true;
  boot_event_ = engine_.schedule_in(provisioning, [this] {
    boot_event_ = {};
    set_state(ReplicaState::kLoadingWeights);
  });
}

void Replica::weights_loaded() {
  if (!awaiting_weights_ || state_ != ReplicaState::kLoadingWeights)
    throw std::logic_error("replica " + std::to_string(id_) + " is " + std::string(replica_state_name(state_)) +
                           " and waits for no weights");
  become_ready();
}

void Replica::become_ready() {
  boot_event_ = {};
  set_state(ReplicaState::kReady);
}

void Replica::drain() {
  switch (state_) {
    case ReplicaState::kProvisioning:
    case ReplicaState::kLoadingWeights:
      if (boot_event_.valid()) engine_.cancel(boot_event_);
      boot_event_ = {};
      set_state(ReplicaState::kStopped);
      return;
    case ReplicaState::kReady:
      set_state(ReplicaState::kDraining);
      stop_if_drained();
      return;
    case ReplicaState::kDraining:
    case ReplicaState::kStopped:
      return;
  }
}

void Replica::stop_if_drained() {
  if (state_ == ReplicaState::kDraining && !busy_ && sched_.waiting.empty() && sched_.running.empty())
    set_state(ReplicaState::kStopped);
}

void Replica::enqueue(const ServingRequest& request) {
  if (state_ != ReplicaState::kReady)
    throw std::logic_error("replica " + std::to_string(id_) + " is " + std::string(replica_state_name(state_)) +
                           " and takes no requests");
  if (request.input_tokens < 1 || request.output_tokens < 1)
    throw std::invalid_argument("request " + std::to_string(request.id) +
                                " needs at least one input and one output token");
  if (spec_.prefix_caching && request.prefix_ids &&
      (request.prefix_block_tokens < 1 || request.prefix_block_tokens % spec_.kv_block_tokens != 0))
    throw std::invalid_argument("request " + std::to_string(request.id) + ": prefix blocks of " +
                                std::to_string(request.prefix_block_tokens) + " tokens are not whole KV blocks of " +
                                std::to_string(spec_.kv_block_tokens));
  const std::uint32_t slot = sched_.slots.acquire();
  Sequence& s = sched_.slots[slot];
  s = Sequence{};
  s.request = request;
  if (!planner_->can_ever_serve(request, sched_.kv)) {
    release(slot, RequestStatus::kDropped, engine_.now());
    return;
  }
  if (request.phase == RequestPhase::kDecodeOnly) {
    // The prompt's KV came from a prefill replica with the first token, which is fed back
    // by the first decode step here.
    s.computed = request.input_tokens;
    s.generated = 1;
    s.prefilling = false;
    s.first_scheduled = request.first_scheduled;
    s.first_token = request.first_token;
    // A one-token request has nothing left to do (unless its first token never came out: the
    // run ended with its KV on the way, and it waits here to be reported unfinished).
    if (request.output_tokens == 1 && request.first_token) {
      ++completed_;
      release(slot, RequestStatus::kCompleted, engine_.now());
      return;
    }
  }
  sched_.waiting.push_back(slot);
  if (!busy_) {
    // An idle replica starts once every arrival of this instant is queued, so requests that
    // arrive together are batched together.
    if (!wake_event_.valid())
      wake_event_ = engine_.schedule_at(
          engine_.now(),
          [this] {
            wake_event_ = {};
            if (!busy_) start_iteration();
          },
          kWakePriority);
  } else if (steps_ > 1) {
    truncate_fused_steps();
  }
}

void Replica::start_iteration() {
  const Time now = engine_.now();
  // Set while planning too: a listener of a drop below that submits a request only queues it.
  busy_ = true;
  planner_->plan(sched_, plan_);
  for (const std::uint32_t slot : plan_.admitted) {
    Sequence& s = sched_.slots[slot];
    if (!s.first_scheduled) s.first_scheduled = now;
    if (!s.phase_scheduled) s.phase_scheduled = now;
  }
  for (const std::uint32_t slot : plan_.dropped) release(slot, RequestStatus::kDropped, now);

  if (plan_.empty()) {
    busy_ = false;
    stop_if_drained();
    return;
  }
  const IterationPrice price = cost_->price(BatchShape{plan_.prefills, plan_.decodes, plan_.decode_context});
  Time dt = price.time;
  if (dt <= Time{}) throw std::logic_error("iteration cost model returned a non-positive time");
  // Prefix KV found in the host tier is copied back layer by layer under the forward pass.
  if (plan_.host_load_tokens > 0) {
    const Time copy = Time::from_seconds_ceil(static_cast<double>(plan_.host_load_tokens) *
                                              spec_.kv_bytes_per_token / spec_.swap_bytes_per_s);
    const Time with_copy = layerwise_host_copy_time(dt, copy, spec_.kv_layers);
    host_load_ns_ += copy.count_ns();
    host_load_exposed_ns_ += (with_copy - dt).count_ns();
    dt = with_copy;
  }
  // Swapped KV crosses PCIe before the forward pass can use (or after it frees) the blocks.
  if (plan_.swap_tokens > 0)
    dt += Time::from_seconds_ceil(static_cast<double>(plan_.swap_tokens) * spec_.kv_bytes_per_token /
                                  spec_.swap_bytes_per_s);
  iteration_start_ = now;
  steps_ = 1;
  fused_decodes_ = 0;
  step_flops_ = price.flops;
  step_flops_growth_ = 0;
  ++iterations_;
  if (spec_.max_fused_decode_steps > 1 && plan_.prefills.empty() && sched_.waiting.empty() && !plan_.preempted &&
      plan_.decodes == static_cast<std::int64_t>(sched_.running.size()))
    plan_fused_steps(plan_.decodes, plan_.decode_context, dt);
  const Time end = steps_ > 1 ? step_end_[steps_ - 1] : now + dt;
  end_event_ = engine_.schedule_at(end, [this] { finish_iteration(); });
}

void Replica::plan_fused_steps(std::int64_t decodes, std::int64_t context, Time first_step) {
  // Steps 2..k: every sequence decodes again, contexts grow by one per step. Stop before any
  // sequence would finish (k ≤ fewest tokens left) and before the cache would run out, so no
  // step inside the run would have scheduled differently.
  const std::int64_t b = spec_.kv_block_tokens;
  std::int64_t k_max = spec_.max_fused_decode_steps;
  std::fill(block_phase_.begin(), block_phase_.end(), 0);
  for (const std::uint32_t slot : sched_.running) {
    const Sequence& s = sched_.slots[slot];
    k_max = std::min(k_max, s.request.last_token() - s.generated);
    // After step 1 the cache holds computed + 1 tokens; step j ≥ 2 writes position
    // computed + j − 1, which needs a new block first when j − 2 = blocks·b − (computed + 1)
    // and every b steps after. Blocks reserved ahead (no-evict policies) may put that beyond
    // b steps: the run then stops before it.
    const std::int64_t first = s.blocks * b - (s.own_tokens() + 1);
    if (first < b)
      ++block_phase_[static_cast<std::size_t>(first)];
    else
      k_max = std::min(k_max, first + 1);
  }
  if (k_max < 2) return;
  step_end_.clear();
  step_blocks_.clear();
  step_end_.push_back(engine_.now() + first_step);
  step_blocks_.push_back(0);
  // First how far the cache lets the run go, then the steps' prices in one call.
  std::int64_t reserved = 0;
  // With prefix caching, evictable cached blocks count as free: the run evicts at its start the
  // blocks its steps will take, in the LRU order stepping would (only a request arriving within
  // the run, cutting it short, could have found one of them still cached).
  const std::int64_t free_after_first = sched_.kv.free() + sched_.kv.cached();
  std::size_t phase = 0;  // (j − 2) mod b, kept without a division per step
  for (std::int64_t j = 2; j <= k_max; ++j, phase = phase + 1 == block_phase_.size() ? 0 : phase + 1) {
    const std::int64_t need = block_phase_[phase];
    if (reserved + need > free_after_first) break;
    reserved += need;
    step_blocks_.push_back(reserved);
  }
  const std::size_t more = step_blocks_.size() - 1;  // steps 2 .. more + 1
  if (more == 0) {
    steps_ = 1;
    step_flops_growth_ = 0;
    return;
  }
  // Step 2 is the one priced with its FLOPs: the rest follow arithmetically.
  const IterationPrice second = cost_->price(BatchShape{{}, decodes, context + decodes});
  step_flops_growth_ = second.flops - step_flops_;
  step_time_.resize(more);
  step_time_[0] = second.time;
  cost_->decode_run_times(decodes, context + 2 * decodes, std::span<Time>(step_time_).subspan(1));
  for (const Time dt : step_time_) {
    if (dt <= Time{}) throw std::logic_error("iteration cost model returned a non-positive time");
    step_end_.push_back(step_end_.back() + dt);
  }
  steps_ = step_end_.size();
  sched_.kv.take(reserved);
  fused_decodes_ = decodes;
}

std::size_t Replica::fused_steps_done() const {
  return static_cast<std::size_t>(
      std::upper_bound(step_end_.begin(), step_end_.begin() + static_cast<std::ptrdiff_t>(steps_), engine_.now()) -
      step_end_.begin());
}

void Replica::truncate_fused_steps() {
  // The step in flight ends at the first boundary after now; the arrival joins the next one.
  const std::size_t keep = fused_steps_done() + 1;
  if (keep >= steps_) return;
  engine_.cancel(end_event_);
  sched_.kv.give_back(step_blocks_[steps_ - 1] - step_blocks_[keep - 1]);
  steps_ = keep;
  end_event_ = engine_.schedule_at(step_end_[keep - 1], [this] { finish_iteration(); });
}

void Replica::produce_token(Sequence& s, Time now) {
  ++s.generated;
  ++tokens_generated_;
  s.prefilling = false;
  if (!s.first_token) {
    s.first_token = now;
    if (on_first_token.connected()) on_first_token.emit(outcome_of(s, RequestStatus::kUnfinished, std::nullopt));
  }
}

void Replica::finish_iteration() {
  const Time now = engine_.now();
  busy_ns_ += (now - iteration_start_).count_ns();
  iterations_ += steps_ - 1;
  const auto k = static_cast<std::int64_t>(steps_);
  flops_ += fused_flops(k);
  // busy_ stays set while listeners run, so a request they submit only queues.
  std::size_t kept = 0;
  if (on_iteration_end.connected()) emit_iterations(now);
  for (std::size_t i = 0; i < sched_.running.size(); ++i) {
    const std::uint32_t slot = sched_.running[i];
    Sequence& s = sched_.slots[slot];
    if (s.step_tokens > 0) {
      if (k > 1) {  // k decode steps: k tokens, all after the first
        s.computed += k;
        s.generated += k;
        tokens_generated_ += static_cast<std::uint64_t>(k);
        s.blocks = std::max(s.blocks, sched_.kv.blocks_for(s.own_tokens()));
      } else {
        s.computed += s.step_tokens;
        if (s.computed == s.request.input_tokens + s.generated) {
          produce_token(s, now);
          cache_full_blocks(s, s.request.input_tokens);
        }
      }
      s.step_tokens = 0;
      if (s.generated == s.request.last_token()) {
        ++completed_;
        cache_full_blocks(s, s.computed);
        release(slot, RequestStatus::kCompleted, now);
        continue;
      }
    }
    sched_.running[kept++] = slot;
  }
  sched_.running.resize(kept);
  steps_ = 1;
  fused_decodes_ = 0;
  busy_ = false;
  start_iteration();
}

void Replica::emit_iterations(Time now) {
  IterationRecord r;
  r.replica = id_;
  r.start = iteration_start_;
  r.end = steps_ > 1 ? step_end_[0] : now;
  r.prefill_tokens = BatchShape{plan_.prefills, 0, 0}.prefill_tokens();
  r.decode_sequences = plan_.decodes;
  r.batch_size = static_cast<std::int64_t>(plan_.prefills.size()) + plan_.decodes;
  on_iteration_end.emit(r);
  for (std::size_t j = 1; j < steps_; ++j) {  // the fused steps: the same decodes, one token further
    r.start = step_end_[j - 1];
    r.end = step_end_[j];
    on_iteration_end.emit(r);
  }
}

RequestOutcome Replica::outcome_of(const Sequence& s, RequestStatus status, std::optional<Time> finish) const {
  RequestOutcome o;
  o.id = s.request.id;
  o.replica = id_;
  o.status = status;
  o.preemptions = s.preemptions;
  o.recomputed_tokens = s.recomputed_tokens;
  o.swapped_tokens = s.swapped_tokens;
  o.input_tokens = s.request.input_tokens;
  o.output_tokens = s.request.output_tokens;
  o.generated_tokens = s.generated;
  o.arrival = s.request.arrival;
  o.first_scheduled = s.first_scheduled;
  o.phase_scheduled = s.phase_scheduled;
  o.first_token = s.first_token;
  o.finish = finish;
  return o;
}

void Replica::cache_full_blocks(Sequence& s, std::int64_t tokens) {
  if (!spec_.prefix_caching || !s.request.prefix_ids) return;
  const std::vector<std::int64_t>& ids = *s.request.prefix_ids;
  const std::int64_t block = s.request.prefix_block_tokens;
  const std::int64_t kv_blocks = block / spec_.kv_block_tokens;
  const auto full = std::min(static_cast<std::int64_t>(ids.size()), tokens / block);
  // From the first block it does not hold yet, while they are its own: a block another
  // sequence cached first stays its own copy, and so does everything after it.
  while (s.prefix_held < full) {
    if (!sched_.kv.adopt(ids[static_cast<std::size_t>(s.prefix_held)], kv_blocks)) break;
    s.blocks -= kv_blocks;
    s.shared_tokens += block;
    ++s.prefix_held;
  }
}

void Replica::release(std::uint32_t slot, RequestStatus status, std::optional<Time> finish) {
  Sequence& s = sched_.slots[slot];
  sched_.kv.give_back(s.blocks);
  s.blocks = 0;
  if (s.prefix_held > 0) sched_.kv.release(s.held_ids());
  s.prefix_held = 0;
  sched_.slots.release(slot);
  on_request_done.emit(outcome_of(s, status, finish));
}

void Replica::abandon_unfinished() {
  if (wake_event_.valid()) engine_.cancel(wake_event_);
  wake_event_ = {};
  if (busy_) {
    engine_.cancel(end_event_);
    busy_ns_ += (engine_.now() - iteration_start_).count_ns();
    if (steps_ > 1) flops_ += fused_flops(static_cast<std::int64_t>(fused_steps_done()));
    busy_ = false;
    steps_ = 1;
  }
  for (const std::uint32_t slot : sched_.running) release(slot, RequestStatus::kUnfinished, std::nullopt);
  sched_.running.clear();
  while (!sched_.waiting.empty()) {
    const std::uint32_t slot = sched_.waiting.front();
    sched_.waiting.pop_front();
    release(slot, RequestStatus::kUnfinished, std::nullopt);
  }
  // Blocks reserved for fused steps cut short belong to no sequence.
  sched_.kv.give_back(sched_.kv.used());
}

std::int64_t Replica::kv_blocks_used() const {
  if (steps_ < 2) return sched_.kv.used();
  // Blocks of fused steps not yet begun are reserved but not yet in use.
  const std::size_t in_flight = std::min(fused_steps_done() + 1, steps_);
  return sched_.kv.used() - (step_blocks_[steps_ - 1] - step_blocks_[in_flight - 1]);
}

std::int64_t Replica::cached_prefix_blocks(const ServingRequest& request) const {
  if (!spec_.prefix_caching) return 0;
  return sched_.kv.cached_prefix(reusable_prefix_ids(request));
}

std::uint64_t Replica::tokens_generated() const {
  if (steps_ < 2) return tokens_generated_;
  return tokens_generated_ + static_cast<std::uint64_t>(fused_decodes_) * fused_steps_done();
}

double Replica::fused_flops(std::int64_t steps) const {
  // Σ_{j=1..k} (first + (j − 1)·growth) = k·first + k(k − 1)/2·growth.
  const auto k = static_cast<double>(steps);
  return k * step_flops_ + k * (k - 1) / 2 * step_flops_growth_;
}

double Replica::flops_executed() const {
  if (steps_ < 2) return flops_;
  return flops_ + fused_flops(static_cast<std::int64_t>(fused_steps_done()));
}

double Replica::busy_seconds() const {
  const std::int64_t open = busy_ ? (engine_.now() - iteration_start_).count_ns() : 0;
  return static_cast<double>(busy_ns_ + open) / 1e9;
}

}  // namespace cs
