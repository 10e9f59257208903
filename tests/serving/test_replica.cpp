#include <catch2/catch.hpp>

#include <map>

#include "sim/serving/replica.hpp"
#include "tests/serving/serving_test_support.hpp"

using namespace cs;
using namespace cs::time_literals;
using cs::test::fixed_cost;
using cs::test::roomy_spec;

namespace {

// base 5 ms + 10 µs per prefill token + 1 ms per decode sequence + 1 µs per context token
std::shared_ptr<const IterationCostModel> linear_cost() {
  return std::make_shared<LinearIterationCost>(LinearIterationCostSpec{5_ms, 10_us, 1_ms, 1000.0});
}

// One replica, started ready at time 0, recording every outcome by request id.
struct Bench {
  Engine engine{1};
  Replica replica;
  std::map<std::uint64_t, RequestOutcome> done;
  Bench(const ReplicaSpec& spec, std::shared_ptr<const IterationCostModel> cost, bool start_ready = true)
      : replica(engine, 0, spec, std::move(cost)) {
    replica.on_request_done.connect([this](const RequestOutcome& o) { done[o.id] = o; });
    if (start_ready) replica.start(0_s, 0_s);
  }
  void enqueue_at(Time at, std::uint64_t id, std::int64_t input, std::int64_t output) {
    engine.schedule_at(at, [this, id, input, output] { replica.enqueue({id, engine.now(), input, output}); });
  }
};

ReplicaSpec fused_spec(int fused_steps) {
  ReplicaSpec spec = roomy_spec();
  spec.max_fused_decode_steps = fused_steps;
  return spec;
}

}  // namespace

TEST_CASE("a lone request's TTFT is its prefill iteration and TPOT its decode iterations") {
  for (const int fused : {1, 64}) {
    Bench b(fused_spec(fused), linear_cost());
    b.enqueue_at(1_s, 7, 200, 4);
    b.engine.run();
    REQUIRE(b.done.size() == 1);
    const RequestOutcome& o = b.done.at(7);
    const Replica& replica = b.replica;
    CHECK(o.status == RequestStatus::kCompleted);
    CHECK(o.first_scheduled == 1_s);
    // prefill: 5 ms + 200 · 10 µs = 7 ms
    CHECK(o.ttft() == 7_ms);
    // decodes over contexts 200, 201, 202: 5 + 1 + 0.200 / 0.201 / 0.202 ms = 18.603 ms in all
    CHECK(o.e2e() == Time::us(25'603));
    CHECK(o.tpot_seconds() == Approx(18.603e-3 / 3).epsilon(1e-12));
    CHECK(replica.tokens_generated() == 4);
    CHECK(replica.iterations() == 4);
    CHECK(replica.busy_seconds() == Approx(25.603e-3).epsilon(1e-12));
    CHECK(replica.kv_blocks_used() == 0);
  }
}

TEST_CASE("two requests arriving together prefill in one iteration and decode in the same iterations") {
  Bench b(roomy_spec(), linear_cost());
  b.enqueue_at(0_s, 1, 100, 3);
  b.enqueue_at(0_s, 2, 300, 3);
  b.engine.run();
  REQUIRE(b.done.size() == 2);
  // prefill 100 + 300 tokens: 5 + 4 = 9 ms; decode 2 seqs over 400 then 402 context tokens:
  // 5 + 2 + 0.400 = 7.4 ms and 7.402 ms; both end at 9 + 7.4 + 7.402 = 23.802 ms
  for (const std::uint64_t id : {1, 2}) {
    CHECK(b.done.at(id).first_token == 9_ms);
    CHECK(b.done.at(id).finish == Time::us(23'802));
  }
  CHECK(b.replica.iterations() == 3);
}

TEST_CASE("a request arriving mid-decode joins the next iteration beside the running decodes") {
  for (const int fused : {1, 64}) {
    Bench b(fused_spec(fused), linear_cost());
    b.enqueue_at(0_s, 1, 100, 3);
    b.enqueue_at(0_s, 2, 300, 3);
    b.enqueue_at(10_ms, 3, 50, 2);
    b.engine.run();
    // 0–9 ms prefill of 1 and 2; 9–16.4 ms decode (context 400); request 3 came at 10 ms and
    // joins at 16.4 ms: prefill 50 + decode 2 over 402: 5 + 0.5 + 2 + 0.402 = 7.902 ms → 24.302 ms,
    // where 1 and 2 finish and 3 gets its first token; 3 decodes alone over 50: 6.05 ms → 30.352 ms.
    CHECK(b.done.at(1).finish == Time::us(24'302));
    CHECK(b.done.at(2).finish == Time::us(24'302));
    CHECK(b.done.at(3).first_scheduled == Time::us(16'400));
    CHECK(b.done.at(3).first_token == Time::us(24'302));
    CHECK(b.done.at(3).finish == Time::us(30'352));
    CHECK(b.replica.iterations() == 4);
  }
}

TEST_CASE("max_num_seqs and max_batched_tokens hold sequences back until there is room") {
  ReplicaSpec spec = roomy_spec();
  spec.max_num_seqs = 2;
  spec.max_batched_tokens = 1000;
  Bench b(spec, fixed_cost(1_ms));
  b.enqueue_at(0_s, 1, 600, 2);
  b.enqueue_at(0_s, 2, 600, 2);  // 1200 tokens do not fit one batch of 1000
  b.enqueue_at(0_s, 3, 10, 1);
  b.engine.run();
  // vllm_v1 (the default): it 1 (0–1 ms): prefill 1; 2 does not fit the 400 tokens left and
  // is skipped, 3 fits (2 sequences) and its one token ends it. it 2: decode 1 (1 token) +
  // prefill 2 (600) → 1 done at 2 ms. it 3: decode 2 → done at 3 ms.
  CHECK(b.done.at(1).finish == 2_ms);
  CHECK(b.done.at(2).first_scheduled == 1_ms);
  CHECK(b.done.at(2).finish == 3_ms);
  CHECK(b.done.at(3).first_scheduled == 0_ms);
  CHECK(b.done.at(3).finish == 1_ms);
}

TEST_CASE("chunked prefill splits a long prompt over iterations that also run decodes") {
  ReplicaSpec spec = roomy_spec();
  spec.max_batched_tokens = 256;
  spec.chunked_prefill = true;
  Bench b(spec, linear_cost());
  b.enqueue_at(0_s, 1, 10, 4);
  b.enqueue_at(0_s, 2, 500, 1);
  b.engine.run();
  // it 1: chunks 10 (req 1) + 246 (req 2) = 256 tokens: 5 + 2.56 = 7.56 ms → req 1 first token.
  // it 2: decode 1 (context 10) + the last 254 tokens of req 2 (255 of the 256 budget):
  //       5 + 2.54 + 1 + 0.010 = 8.55 ms → 16.11 ms: req 2's prompt is complete, its one token out.
  CHECK(b.done.at(1).first_token == Time::us(7'560));
  CHECK(b.done.at(2).first_token == Time::us(16'110));
  CHECK(b.done.at(2).finish == Time::us(16'110));
  // it 3, 4: req 1 decodes alone over 11 and 12: 6.011 + 6.012 ms → 28.133 ms
  CHECK(b.done.at(1).finish == Time::us(28'133));
}

TEST_CASE("a full KV cache preempts the newest sequence, which recomputes and still completes") {
  for (const int fused : {1, 64}) {
    ReplicaSpec spec = roomy_spec(10, 16);  // 10 blocks of 16 tokens
    spec.max_fused_decode_steps = fused;
    Bench bench(spec, fixed_cost(1_ms));
    bench.enqueue_at(0_s, 1, 64, 40);
    bench.enqueue_at(0_s, 2, 64, 40);
    bench.engine.run();
    const RequestOutcome& a = bench.done.at(1);
    const RequestOutcome& b = bench.done.at(2);
    const Replica& replica = bench.replica;
    // Prefill fills 4 + 4 blocks; decode step 1 writes position 64 (5 + 5 blocks: full);
    // step 17 writes position 80 and needs a sixth block each: the newer, 2, is preempted
    // having generated 17 tokens. 1 runs alone and finishes its 40 tokens at iteration 40
    // (40 ms); its 7 blocks leave 3, short of the 6 that 2's recomputation of 64 + 17 tokens
    // needs, so 2 waits until 40 ms, recomputes (token 18 at 41 ms) and decodes 22 more: 63 ms.
    CHECK(a.status == RequestStatus::kCompleted);
    CHECK(b.status == RequestStatus::kCompleted);
    CHECK(a.preemptions == 0);
    CHECK(b.preemptions == 1);
    CHECK(a.finish == 40_ms);
    CHECK(b.first_token == 1_ms);
    CHECK(b.finish == 63_ms);
    CHECK(replica.preemptions() == 1);
    CHECK(replica.tokens_generated() == 80);
    CHECK(replica.kv_blocks_used() == 0);
  }
}

TEST_CASE("a request that can never fit the KV cache or the batch is dropped, not stuck") {
  ReplicaSpec spec = roomy_spec(4, 16);  // 64 tokens of cache
  spec.max_batched_tokens = 100;
  Bench b(spec, fixed_cost(1_ms));
  b.enqueue_at(0_s, 1, 60, 10);  // 69 tokens to cache
  b.enqueue_at(0_s, 2, 50, 15);  // exactly 64: fits
  b.enqueue_at(0_s, 3, 101, 1);  // prompt over the 100-token batch, no chunking
  b.engine.run();
  CHECK(b.done.at(1).status == RequestStatus::kDropped);
  CHECK(b.done.at(2).status == RequestStatus::kCompleted);
  CHECK(b.done.at(3).status == RequestStatus::kDropped);
}

TEST_CASE("fused decode steps report gauges as if stepped one iteration at a time") {
  Bench b(roomy_spec(1000, 16), fixed_cost(1_ms));
  Engine& engine = b.engine;
  Replica& replica = b.replica;
  b.enqueue_at(0_s, 1, 16, 50);
  std::uint64_t tokens_at_10ms = 0;
  std::int64_t blocks_at_10ms = 0;
  engine.schedule_at(
      Time::us(10'500),
      [&] {
        tokens_at_10ms = replica.tokens_generated();
        blocks_at_10ms = replica.kv_blocks_used();
      },
      Priority::kObserve);
  engine.run();
  // by 10.5 ms: 10 iterations done (1 prefill + 9 decodes) → 10 tokens; the 11th (in flight)
  // writes position 25, so the cache holds 26 tokens' worth: 2 blocks.
  CHECK(tokens_at_10ms == 10);
  CHECK(blocks_at_10ms == 2);
  CHECK(replica.iterations() == 50);
}

TEST_CASE("a replica boots through provisioning and weight loading, and drains before stopping") {
  Bench b(roomy_spec(), fixed_cost(1_ms), /*start_ready=*/false);
  std::vector<std::pair<Time, ReplicaState>> states;
  b.replica.on_state_change.connect(
      [&](const Replica& r, ReplicaState) { states.emplace_back(b.engine.now(), r.state()); });
  b.replica.start(30_s, 90_s);
  b.engine.schedule_at(121_s, [&] {
    b.replica.enqueue({1, b.engine.now(), 10, 5});
    b.replica.drain();
  });
  b.engine.run();
  REQUIRE(states.size() == 4);
  CHECK(states[0] == std::pair{30_s, ReplicaState::kLoadingWeights});
  CHECK(states[1] == std::pair{120_s, ReplicaState::kReady});
  CHECK(states[2] == std::pair{121_s, ReplicaState::kDraining});
  CHECK(states[3] == std::pair{121_s + 5_ms, ReplicaState::kStopped});
  CHECK(b.done.at(1).status == RequestStatus::kCompleted);
}

TEST_CASE("a replica drained while still booting stops at once") {
  Bench b(roomy_spec(), fixed_cost(1_ms), /*start_ready=*/false);
  b.replica.start(30_s, 90_s);
  b.engine.schedule_at(60_s, [&] { b.replica.drain(); });
  b.engine.run();
  CHECK(b.replica.state() == ReplicaState::kStopped);
  CHECK(b.engine.now() == 60_s);  // the pending ready event was cancelled
}

TEST_CASE("a replica awaiting its weights waits in loading until told they landed") {
  Bench b(roomy_spec(), fixed_cost(1_ms), /*start_ready=*/false);
  std::vector<std::pair<Time, ReplicaState>> states;
  b.replica.on_state_change.connect(
      [&](const Replica& r, ReplicaState) { states.emplace_back(b.engine.now(), r.state()); });
  b.replica.start_awaiting_weights(30_s);
  CHECK_THROWS_AS(b.replica.weights_loaded(), std::logic_error);  // still provisioning
  b.engine.schedule_at(75_s, [&] { b.replica.weights_loaded(); });
  b.engine.run();
  REQUIRE(states.size() == 2);
  CHECK(states[0] == std::pair{30_s, ReplicaState::kLoadingWeights});
  CHECK(states[1] == std::pair{75_s, ReplicaState::kReady});
  CHECK_THROWS_AS(b.replica.weights_loaded(), std::logic_error);  // ready already
}

TEST_CASE("a replica drained while awaiting its weights stops at once") {
  Bench b(roomy_spec(), fixed_cost(1_ms), /*start_ready=*/false);
  ReplicaState left = ReplicaState::kReady;
  b.replica.on_state_change.connect([&](const Replica& r, ReplicaState previous) {
    if (r.state() == ReplicaState::kStopped) left = previous;
  });
  b.replica.start_awaiting_weights(30_s);
  b.engine.schedule_at(60_s, [&] { b.replica.drain(); });
  b.engine.run();
  CHECK(b.replica.state() == ReplicaState::kStopped);
  CHECK(left == ReplicaState::kLoadingWeights);  // what tells the loader to give up
}
