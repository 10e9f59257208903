#include "workloads/conversation_source.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "workloads/workload_spec_checks.hpp"

namespace cs {

namespace {
// Sessions beyond ~292 years of simulated time overflow Time: no more of them.
constexpr double kLastSecond = 9.2e9;

std::int64_t at_least_one(double draw) {
  return std::max<std::int64_t>(1, std::llround(draw));
}

// SplitMix64's finaliser (Steele, Lea and Flood, OOPSLA 2014): a block's id from what it holds.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
}  // namespace

ConversationSource::ConversationSource(ConversationSpec spec, std::uint64_t seed)
    : spec_(std::move(spec)),
      session_rng_(stream_seed(seed, "sessions")),
      turn_rng_(stream_seed(seed, "turns")),
      length_rng_(stream_seed(seed, "lengths")),
      prompt_rng_(stream_seed(seed, "system_prompts")),
      arrivals_(spec_.sessions, session_rng_),
      next_session_s_(spec_.start.seconds()) {
  require_valid(validate(spec_), "conversations");
  prompt_cdf_.resize(static_cast<std::size_t>(spec_.system_prompts));
  double sum = 0;
  for (std::size_t i = 0; i < prompt_cdf_.size(); ++i) {
    sum += std::pow(static_cast<double>(i + 1), -spec_.system_prompt_zipf);
    prompt_cdf_[i] = sum;
  }
  for (double& c : prompt_cdf_) c /= sum;
  next_session_s_ += arrivals_.next_gap_seconds();
}

std::int64_t ConversationSource::pick_system_prompt() {
  const double u = prompt_rng_.uniform01();
  const auto it = std::upper_bound(prompt_cdf_.begin(), prompt_cdf_.end(), u);
  return std::min<std::int64_t>(it - prompt_cdf_.begin(), spec_.system_prompts - 1);
}

void ConversationSource::start_session() {
  Turn t;
  t.arrival = Time::from_seconds_round(next_session_s_);
  t.order = order_++;
  t.session = sessions_++;
  t.system_prompt = pick_system_prompt();
  t.turns_left = at_least_one(draw(spec_.turns, turn_rng_));
  t.history_tokens = spec_.system_prompt_tokens;
  pending_.push(t);
  next_session_s_ += arrivals_.next_gap_seconds();
}

std::int64_t ConversationSource::block_id(const Turn& t, std::int64_t block, std::int64_t tokens_in_block) const {
  const auto b = static_cast<std::uint64_t>(block);
  std::uint64_t h;
  if ((block + 1) * spec_.block_tokens <= spec_.system_prompt_tokens)
    h = mix(mix(static_cast<std::uint64_t>(t.system_prompt) * 2) ^ b);
  else
    h = mix(mix(mix(t.session * 2 + 1) ^ b) ^ static_cast<std::uint64_t>(tokens_in_block));
  return static_cast<std::int64_t>(h >> 1);  // ids are non-negative, as in the traces
}

std::optional<InferenceRequest> ConversationSource::next() {
  while (true) {
    if (spec_.max_requests > 0 && made_ >= spec_.max_requests) return std::nullopt;
    const bool session_due = next_session_s_ < kLastSecond &&
                             (!spec_.end || Time::from_seconds_round(next_session_s_) < *spec_.end) &&
                             (pending_.empty() || Time::from_seconds_round(next_session_s_) <= pending_.top().arrival);
    if (session_due) {
      start_session();
      continue;
    }
    if (pending_.empty()) return std::nullopt;
    Turn t = pending_.top();
    pending_.pop();
    if (spec_.end && t.arrival >= *spec_.end) continue;
    const std::int64_t user = at_least_one(draw(spec_.user_tokens, length_rng_));
    const std::int64_t answer = at_least_one(draw(spec_.output_tokens, length_rng_));
    InferenceRequest r;
    r.arrival = t.arrival;
    r.input_tokens = t.history_tokens + user;
    r.output_tokens = answer;
    r.model = spec_.model;
    if (spec_.max_context_tokens > 0 && r.input_tokens + r.output_tokens > spec_.max_context_tokens) {
      // The session ends here. A spec whose turns never fit would end every session at once
      // and never produce a request: refuse it rather than loop.
      if (++skipped_in_a_row_ > kMaxSkippedInARow)
        throw std::invalid_argument("no conversation turn fits max_context_tokens = " +
                                    std::to_string(spec_.max_context_tokens));
      continue;
    }
    skipped_in_a_row_ = 0;
    const std::int64_t total = r.input_tokens + r.output_tokens;
    const std::int64_t blocks = (total + spec_.block_tokens - 1) / spec_.block_tokens;
    r.prefix_hash_ids.reserve(static_cast<std::size_t>(blocks));
    for (std::int64_t i = 0; i < blocks; ++i)
      r.prefix_hash_ids.push_back(block_id(t, i, std::min(spec_.block_tokens, total - i * spec_.block_tokens)));
    r.prefix_block_tokens = spec_.block_tokens;
    if (t.turns_left > 1) {
      Turn n = t;
      n.order = order_++;
      n.turns_left = t.turns_left - 1;
      n.history_tokens = total;
      const double think = std::max(0.0, draw(spec_.think_time_s, turn_rng_));
      n.arrival = t.arrival + Time::from_seconds_round(think);
      pending_.push(n);
    }
    ++made_;
    return r;
  }
}

}  // namespace cs
