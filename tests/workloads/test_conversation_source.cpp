#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "drain_source.hpp"
#include "workloads/conversation_source.hpp"

using namespace cs;
using namespace cs::time_literals;
using cs::test::drain;

namespace {

// Fixed lengths make every figure below countable by hand.
ConversationSpec fixed_spec() {
  ConversationSpec c;
  c.sessions = {ArrivalKind::kDeterministic, 1.0};  // a session each second
  c.turns = {DistributionKind::kFixed, 3};
  c.think_time_s = {DistributionKind::kFixed, 10};
  c.user_tokens = {DistributionKind::kFixed, 20};
  c.output_tokens = {DistributionKind::kFixed, 30};
  c.system_prompt_tokens = 40;
  c.block_tokens = 16;
  c.end = 5_s;  // sessions at 1, 2, 3, 4 s
  return c;
}
}  // namespace

TEST_CASE("each turn's prompt is the system prompt, the earlier turns and its own message") {
  ConversationSource source(fixed_spec(), 1);
  const std::vector<InferenceRequest> rs = drain(source);
  // 4 sessions start before 5 s, but only turns arriving before it are made: the first turns.
  REQUIRE(rs.size() == 4);
  for (const auto& r : rs) CHECK(r.input_tokens == 60);  // 40 + 20

  // One session (at 100 s) and its three turns, 10 s apart.
  ConversationSpec one = fixed_spec();
  one.sessions = {ArrivalKind::kDeterministic, 0.01};
  one.end = 150_s;
  ConversationSource s2(one, 1);
  const std::vector<InferenceRequest> turns = drain(s2);
  REQUIRE(turns.size() == 3);
  CHECK(turns[0].arrival == 100_s);
  CHECK(turns[1].arrival == 110_s);
  CHECK(turns[2].arrival == 120_s);
  CHECK(turns[0].input_tokens == 60);
  CHECK(turns[1].input_tokens == 60 + 30 + 20);            // + answer 1 + message 2
  CHECK(turns[2].input_tokens == 60 + 30 + 20 + 30 + 20);  // + answer 2 + message 3
}

TEST_CASE("a later turn's prefix ids start with every whole block of the turn before") {
  ConversationSpec spec = fixed_spec();
  spec.sessions = {ArrivalKind::kDeterministic, 0.01};  // one session, at 100 s
  spec.end = 150_s;
  ConversationSource source(spec, 3);
  const std::vector<InferenceRequest> turns = drain(source);
  REQUIRE(turns.size() == 3);
  for (std::size_t k = 0; k + 1 < turns.size(); ++k) {
    const InferenceRequest& a = turns[k];
    const InferenceRequest& b = turns[k + 1];
    CHECK(a.prefix_block_tokens == 16);
    // ids cover prompt + answer: 60 + 30 = 90 tokens = 6 blocks (the last of 10 tokens).
    const std::int64_t covered = a.input_tokens + a.output_tokens;
    CHECK(static_cast<std::int64_t>(a.prefix_hash_ids.size()) == (covered + 15) / 16);
    const std::size_t whole = static_cast<std::size_t>(covered / 16);
    for (std::size_t i = 0; i < whole; ++i) CHECK(a.prefix_hash_ids[i] == b.prefix_hash_ids[i]);
    // The partial last block holds other tokens than the next turn's block there.
    CHECK(a.prefix_hash_ids[whole] != b.prefix_hash_ids[whole]);
  }
}

TEST_CASE("sessions share the system prompt's whole blocks and nothing after them") {
  ConversationSpec spec = fixed_spec();
  spec.turns = {DistributionKind::kFixed, 1};
  spec.system_prompts = 1;
  ConversationSource source(spec, 5);
  const std::vector<InferenceRequest> rs = drain(source);
  REQUIRE(rs.size() == 4);
  std::set<std::int64_t> second_block_onward;
  for (const auto& r : rs) {
    // 40 system tokens: blocks 0 and 1 are whole inside it; block 2 straddles it.
    CHECK(r.prefix_hash_ids[0] == rs[0].prefix_hash_ids[0]);
    CHECK(r.prefix_hash_ids[1] == rs[0].prefix_hash_ids[1]);
    second_block_onward.insert(r.prefix_hash_ids[2]);
  }
  CHECK(second_block_onward.size() == 4);
}

TEST_CASE("system prompts are picked by their Zipf popularity") {
  ConversationSpec spec = fixed_spec();
  spec.turns = {DistributionKind::kFixed, 1};
  spec.sessions = {ArrivalKind::kPoisson, 100.0};
  spec.end = 100_s;
  spec.system_prompts = 3;
  spec.system_prompt_zipf = 1;
  ConversationSource source(spec, 9);
  std::map<std::int64_t, double> count;
  double n = 0;
  for (const auto& r : drain(source)) {
    ++count[r.prefix_hash_ids[0]];
    ++n;
  }
  REQUIRE(count.size() == 3);
  // Weights 1, 1/2, 1/3 of 11/6: 6/11, 3/11, 2/11 (~10,000 sessions: within 2 points).
  std::vector<double> shares;
  for (const auto& [id, c] : count) shares.push_back(c / n);
  std::sort(shares.begin(), shares.end());
  CHECK(shares[2] == Approx(6.0 / 11).margin(0.02));
  CHECK(shares[1] == Approx(3.0 / 11).margin(0.02));
  CHECK(shares[0] == Approx(2.0 / 11).margin(0.02));
}

TEST_CASE("a session ends before a turn that would pass the context limit") {
  ConversationSpec spec = fixed_spec();
  spec.sessions = {ArrivalKind::kDeterministic, 0.01};  // one session, at 100 s
  spec.end = 150_s;                                      // room for 5 turns
  spec.turns = {DistributionKind::kFixed, 10};
  // Turn k: prompt 40 + 50k - 30, + 30 answer = 40 + 50k tokens; 200 admits k <= 3.
  spec.max_context_tokens = 200;
  ConversationSource source(spec, 2);
  const std::vector<InferenceRequest> rs = drain(source);
  CHECK(rs.size() == 3);
  for (const auto& r : rs) CHECK(r.input_tokens + r.output_tokens <= 200);
}

TEST_CASE("the same seed gives the same conversations and another seed others") {
  ConversationSpec spec;
  spec.sessions = {ArrivalKind::kPoisson, 2.0};
  spec.turns = {DistributionKind::kLognormal, 4, 1};
  spec.think_time_s = {DistributionKind::kExponential, 30};
  spec.user_tokens = {DistributionKind::kLognormal, 200, 1};
  spec.output_tokens = {DistributionKind::kLognormal, 300, 1};
  spec.system_prompt_tokens = 1000;
  spec.system_prompts = 4;
  spec.end = 10_min;
  ConversationSource a(spec, 7), b(spec, 7), c(spec, 8);
  const auto ra = drain(a), rb = drain(b), rc = drain(c);
  REQUIRE(ra.size() == rb.size());
  for (std::size_t i = 0; i < ra.size(); ++i) {
    CHECK(ra[i].arrival == rb[i].arrival);
    CHECK(ra[i].input_tokens == rb[i].input_tokens);
    CHECK(ra[i].prefix_hash_ids == rb[i].prefix_hash_ids);
    if (i > 0) CHECK(ra[i].arrival >= ra[i - 1].arrival);
  }
  bool differ = ra.size() != rc.size();
  for (std::size_t i = 0; !differ && i < ra.size(); ++i) differ = ra[i].arrival != rc[i].arrival;
  CHECK(differ);
}
