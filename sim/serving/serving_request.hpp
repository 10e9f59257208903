#pragma once
// One inference request as the serving models see it, and what became of it. The outcome is
// the row of the /requests table: every request that arrived ends in exactly one status, so
// arrived = completed + rejected + dropped + unfinished holds by construction.
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "sim/engine/time.hpp"

namespace cs {

// Where a request's phases run (disaggregated serving, sim/simulation/kv_handoff.hpp).
enum class RequestPhase : std::uint8_t {
  kWhole,        // prefill and decode on the replica it reaches (co-located)
  kPrefillOnly,  // a prefill replica: done at its first token, which ends the prompt
  kDecodeOnly,   // a decode replica: the prompt's KV and the first token arrive with it
};

struct ServingRequest {
  std::uint64_t id = 0;
  Time arrival;
  std::int64_t input_tokens = 0;   // prompt length; at least 1
  std::int64_t output_tokens = 0;  // tokens to generate; at least 1 (the first comes out of prefill)
  // Prefix caching: the ids of the request's KV blocks of `prefix_block_tokens` tokens each,
  // from its first token (two requests whose ids agree up to block i share tokens
  // [0, (i + 1) · prefix_block_tokens)). They may run past the prompt over the answer, whose
  // blocks a later turn of the conversation reuses. Shared: requests are copied as they move.
  std::shared_ptr<const std::vector<std::int64_t>> prefix_ids{};
  std::int64_t prefix_block_tokens = 0;
  RequestPhase phase = RequestPhase::kWhole;
  // kDecodeOnly: when the prefill replica first computed it and when its first token counts
  // as delivered (the prefill's end plus the KV transfer time not hidden behind it).
  std::optional<Time> first_scheduled{};
  std::optional<Time> first_token{};

  // Output tokens the replica it reaches produces in all (the first included).
  std::int64_t last_token() const { return phase == RequestPhase::kPrefillOnly ? 1 : output_tokens; }
};

enum class RequestStatus : std::uint8_t {
  kCompleted,   // every output token generated
  kRejected,    // refused by admission control before reaching a replica
  kDropped,     // can never be served by the replica it reached (KV cache or batch limit too small)
  kUnfinished,  // still queued or running when the run ended
};

std::string_view request_status_name(RequestStatus status);

inline constexpr std::uint32_t kNoReplica = UINT32_MAX;

struct RequestOutcome {
  std::uint64_t id = 0;
  std::uint32_t replica = kNoReplica;
  RequestStatus status = RequestStatus::kUnfinished;
  std::int32_t preemptions = 0;
  std::int64_t recomputed_tokens = 0;  // KV tokens its preemptions threw away (computed again)
  std::int64_t swapped_tokens = 0;     // KV tokens its preemptions copied to host memory and back
  std::int64_t input_tokens = 0;
  std::int64_t output_tokens = 0;
  std::int64_t generated_tokens = 0;  // equals output_tokens when completed
  Time arrival;
  // Empty where it did not happen: a rejected request was never scheduled and has no first
  // token (and so no TTFT); an unfinished one has no finish.
  std::optional<Time> first_scheduled;  // start of the first iteration that computed any of its tokens
  // Start of the first iteration on the replica reporting it: first_scheduled, but for a
  // decode-only request (whose first_scheduled is its prefill's) the decode replica's first.
  std::optional<Time> phase_scheduled;
  std::optional<Time> first_token;      // end of the iteration that produced its first output token
  std::optional<Time> finish;           // end of the iteration that produced its last token (or when it left)

  bool has_first_token() const { return first_token.has_value(); }
  // From arrival to each of those; empty where it did not happen.
  std::optional<Time> queue_wait() const { return since_arrival(first_scheduled); }
  std::optional<Time> ttft() const { return since_arrival(first_token); }
  std::optional<Time> e2e() const { return since_arrival(finish); }
  // A decode-only request's wait at its decode replica: from its KV's arrival there (its
  // first_token) to the first decode iteration with it; zero for one that completed on
  // arrival (a one-token request: nothing to decode). Empty where neither happened.
  std::optional<Time> decode_queue_wait() const;
  // Time per output token after the first: (finish − first token) / (output tokens − 1);
  // NaN for a single-token request or one that did not complete, which has no such gap.
  double tpot_seconds() const;

 private:
  std::optional<Time> since_arrival(const std::optional<Time>& t) const {
    return t ? std::optional<Time>(*t - arrival) : std::nullopt;
  }
};

}  // namespace cs
