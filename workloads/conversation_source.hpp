#pragma once
// Multi-turn chat sessions whose later turns resend the earlier ones: the workload a prefix
// cache is for. Sessions start by an arrival process; each picks one of a few shared system
// prompts (popularity Zipf-distributed: the reuse distribution across sessions) and runs a
// number of turns. Turn k's prompt is the system prompt, every earlier turn's user message and
// answer, then its own new user message, so it starts with turn k − 1's whole context.
//
// Every request carries prefix ids of `block_tokens`-token blocks over its prompt and answer
// (InferenceRequest::prefix_hash_ids), named by what the block holds: a block wholly inside
// the system prompt by (system prompt, index), every other by (session, index, tokens in it),
// so a block is shared exactly when its tokens are: across sessions within the system prompt,
// and within a session by the next turn for every block the history fills.
//
// Open loop: a turn arrives a think time after the previous turn's arrival, whatever the
// serving; the think time therefore includes reading the answer. A session ends after its
// turns, or before a turn whose prompt + answer would pass max_context_tokens.
#include <cstdint>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "sim/engine/random.hpp"
#include "workloads/arrival_process.hpp"
#include "workloads/distribution.hpp"
#include "workloads/request_source.hpp"

namespace cs {

struct ConversationSpec {
  ArrivalSpec sessions;  // session starts (each one's first turn)
  DistributionSpec turns{DistributionKind::kFixed, 4};            // per session, rounded, at least 1
  DistributionSpec think_time_s{DistributionKind::kExponential, 60};  // between a session's turns' arrivals
  DistributionSpec user_tokens{DistributionKind::kFixed, 128};    // each turn's new message, at least 1
  DistributionSpec output_tokens{DistributionKind::kFixed, 256};  // each turn's answer, at least 1
  std::int64_t system_prompt_tokens = 0;  // shared by every session that picks the same prompt
  std::int64_t system_prompts = 1;        // distinct system prompts
  double system_prompt_zipf = 0;          // prompt i is picked with weight 1 / i^s (0: uniform)
  std::int64_t block_tokens = 16;         // tokens a prefix id covers
  std::int64_t max_context_tokens = 0;    // 0: none
  Time start;                             // the first session starts one gap after this
  std::optional<Time> end;                // no request at or after this (none: no end)
  std::uint64_t max_requests = 0;         // 0: no limit
  std::string model;
};

class ConversationSource final : public RequestSource {
 public:
  // Streams "sessions", "turns", "lengths" and "system_prompts" derived from `seed`. Throws
  // std::invalid_argument for an impossible spec.
  ConversationSource(ConversationSpec spec, std::uint64_t seed);
  ConversationSource(const ConversationSource&) = delete;
  ConversationSource& operator=(const ConversationSource&) = delete;
  std::optional<InferenceRequest> next() override;

 private:
  struct Turn {
    Time arrival;
    std::uint64_t order;  // ties in arrival: in the order the turns were scheduled
    std::uint64_t session;
    std::int64_t system_prompt;
    std::int64_t turns_left;  // this one included
    std::int64_t history_tokens;
    bool operator>(const Turn& o) const { return arrival != o.arrival ? arrival > o.arrival : order > o.order; }
  };
  void start_session();
  std::int64_t pick_system_prompt();
  std::int64_t block_id(const Turn& t, std::int64_t block, std::int64_t tokens_in_block) const;

  ConversationSpec spec_;
  RandomStream session_rng_;
  RandomStream turn_rng_;
  RandomStream length_rng_;
  RandomStream prompt_rng_;
  ArrivalProcess arrivals_;
  std::vector<double> prompt_cdf_;  // cumulative pick probability of system prompt i
  double next_session_s_;
  std::uint64_t sessions_ = 0;
  std::uint64_t order_ = 0;
  std::uint64_t made_ = 0;
  static constexpr std::uint64_t kMaxSkippedInARow = 1'000'000;
  std::uint64_t skipped_in_a_row_ = 0;
  std::priority_queue<Turn, std::vector<Turn>, std::greater<>> pending_;
};

}  // namespace cs
