#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <numeric>
#include <tuple>
#include <vector>

#include "../llm/catalog_fixture.hpp"
#include "sim/serving/kv_block_allocator.hpp"
#include "sim/serving/llm_iteration_cost.hpp"
#include "sim/serving/replica.hpp"
#include "sim/serving/request_router.hpp"
#include "tests/serving/serving_test_support.hpp"

using namespace cs;
using namespace cs::time_literals;
using cs::test::fixed_cost;
using cs::test::roomy_spec;

namespace {

std::vector<std::int64_t> ids(std::int64_t first, std::int64_t n) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), first);
  return v;
}

ServingRequest request(std::uint64_t id, std::int64_t input, std::int64_t output, std::vector<std::int64_t> prefix,
                       std::int64_t block_tokens = 16) {
  ServingRequest r{id, Time{}, input, output};
  r.prefix_ids = std::make_shared<const std::vector<std::int64_t>>(std::move(prefix));
  r.prefix_block_tokens = block_tokens;
  return r;
}

ReplicaSpec caching_spec(std::int64_t blocks = 100'000) {
  ReplicaSpec spec = roomy_spec(blocks);
  spec.prefix_caching = true;
  return spec;
}

// One replica started ready, recording outcomes and iterations.
struct Bench {
  Engine engine{1};
  Replica replica;
  std::map<std::uint64_t, RequestOutcome> done;
  std::vector<IterationRecord> iterations;
  Bench(const ReplicaSpec& spec, std::shared_ptr<const IterationCostModel> cost)
      : replica(engine, 0, spec, std::move(cost)) {
    replica.on_request_done.connect([this](const RequestOutcome& o) { done[o.id] = o; });
    replica.on_iteration_end.connect([this](const IterationRecord& r) { iterations.push_back(r); });
    replica.start(0_s, 0_s);
  }
  std::vector<ServingRequest> requests;  // events capture an index: a request is too large
  void enqueue_at(Time at, ServingRequest r) {
    requests.push_back(std::move(r));
    engine.schedule_at(at, [this, i = requests.size() - 1] {
      requests[i].arrival = engine.now();
      replica.enqueue(requests[i]);
    });
  }
};

}  // namespace

TEST_CASE("the cache evicts the least recently released block that no sequence holds") {
  KvBlockAllocator kv(10, 16);
  // Three entries of one block each, released in the order 10, 20, 30.
  for (const std::int64_t id : {10, 20, 30}) {
    kv.take(1);
    kv.adopt(id, 1);
    const std::int64_t held[] = {id};
    kv.release(held);
  }
  CHECK(kv.used() == 0);
  CHECK(kv.cached() == 3);
  CHECK(kv.free() == 7);
  // Using 10 again makes it the most recent once released.
  const std::int64_t ten[] = {10};
  kv.hold(ten);
  kv.release(ten);
  kv.take(8);  // one more than is free: evicts the least recently released, 20
  CHECK(kv.evicted_blocks() == 1);
  CHECK_FALSE(kv.contains(20));
  CHECK(kv.contains(30));
  CHECK(kv.contains(10));
  kv.take(1);  // then 30
  CHECK_FALSE(kv.contains(30));
  CHECK(kv.contains(10));
  CHECK(kv.free() == 0);
  CHECK(kv.cached() == 1);
}

TEST_CASE("a prefix released together is evicted from its tail, so its head stays reusable") {
  KvBlockAllocator kv(4, 16);
  kv.take(3);
  for (const std::int64_t id : {1, 2, 3}) kv.adopt(id, 1);
  const std::vector<std::int64_t> prefix{1, 2, 3};
  kv.release(prefix);
  kv.take(2);  // 1 free + 1 evicted: the last block, 3
  CHECK(kv.cached_prefix(prefix) == 2);
  kv.take(1);
  CHECK(kv.cached_prefix(prefix) == 1);
}

TEST_CASE("blocks a running sequence holds are never evicted") {
  KvBlockAllocator kv(4, 16);
  kv.take(2);
  kv.adopt(1, 1);
  kv.adopt(2, 1);
  const std::vector<std::int64_t> prefix{1, 2};
  // Still held by the sequence that computed them: not evictable.
  CHECK(kv.cached() == 0);
  CHECK_FALSE(kv.can_take(3));
  CHECK_THROWS_AS(kv.take(3), std::logic_error);
  kv.release(prefix);
  kv.hold(prefix);  // a second sequence uses them
  CHECK_FALSE(kv.can_take(3));
  CHECK(kv.evictable_blocks(prefix) == 0);
  kv.release(prefix);
  CHECK(kv.evictable_blocks(prefix) == 2);
  CHECK(kv.can_take(4));
  kv.take(4);
  CHECK(kv.cached_prefix(prefix) == 0);
}

TEST_CASE("a prefix-cache hit skips exactly the cached blocks' prefill while attention reads the whole context") {
  const TransformerSpec& m = testing::model("llama-2-70b");
  const GpuSpec& g = testing::gpu("h100-sxm");
  const ModelPrecision p = precision_for(Dtype::kBf16);
  const auto cost = std::make_shared<LlmIterationCost>(m, g, p, ParallelPlan{4, 1, 1, 1});
  Bench b(caching_spec(), cost);
  // 1,000 tokens = 62 whole blocks of 16 + 8 tokens: 63 ids. The second request repeats the
  // prompt: its 62 whole blocks (992 tokens) are cached, the last 8 tokens are computed.
  b.enqueue_at(0_s, request(1, 1000, 1, ids(0, 63)));
  b.enqueue_at(1_s, request(2, 1000, 1, ids(0, 63)));
  b.engine.run();
  REQUIRE(b.iterations.size() == 2);
  CHECK(b.iterations[0].prefill_tokens == 1000);
  CHECK(b.iterations[1].prefill_tokens == 8);
  const std::vector<PrefillChunk> suffix{{8, 992}};
  const Time hit = cost->price(BatchShape{suffix, 0, 0}).time;
  CHECK(b.iterations[1].end - b.iterations[1].start == hit);
  CHECK(b.done.at(2).ttft() == hit);
  // The suffix alone without its context would be cheaper; the whole prompt dearer.
  const std::vector<PrefillChunk> bare{{8, 0}}, whole{{1000, 0}};
  CHECK(hit > cost->price(BatchShape{bare, 0, 0}).time);
  CHECK(hit < cost->price(BatchShape{whole, 0, 0}).time);
  CHECK(b.done.at(1).ttft() == cost->price(BatchShape{whole, 0, 0}).time);
  CHECK(b.replica.prefix_lookup_tokens() == 2000);
  CHECK(b.replica.prefix_hit_tokens() == 992);
  // Both left: their 62 shared blocks stay cached, nothing is held.
  CHECK(b.replica.kv_blocks_used() == 0);
  CHECK(b.replica.kv_blocks_cached() == 62);
}

TEST_CASE("a prompt that is all cached blocks still computes its last block") {
  Bench b(caching_spec(), fixed_cost(1_ms));
  b.enqueue_at(0_s, request(1, 64, 1, ids(0, 4)));
  b.enqueue_at(1_s, request(2, 64, 1, ids(0, 4)));
  b.engine.run();
  REQUIRE(b.iterations.size() == 2);
  // Blocks wholly inside the prompt but its last token: 3, so the last 16 are computed.
  CHECK(b.iterations[1].prefill_tokens == 16);
}

TEST_CASE("a later turn reuses the blocks of the earlier turn's answer") {
  Bench b(caching_spec(), fixed_cost(1_ms));
  // Turn 1: 32-token prompt, 33-token answer; the cache then holds 32 + 32 = 64 tokens, ids
  // over prompt + answer (65 tokens, 5 ids). Turn 2 resends all 65 and adds 15: 80 tokens.
  b.enqueue_at(0_s, request(1, 32, 33, ids(0, 5)));
  b.enqueue_at(1_s, request(2, 80, 1, ids(0, 5)));
  b.engine.run();
  // 4 whole blocks (64 tokens) of turn 1 are cached; turn 2 computes 16.
  CHECK(b.replica.prefix_hit_tokens() == 64);
  CHECK(b.iterations.back().prefill_tokens == 16);
}

TEST_CASE("with no shared prefixes, caching changes no outcome and finds nothing") {
  // 40 requests with ids of their own through a cache of 120 blocks: their cached blocks fill
  // it and must be evicted for the later ones.
  const auto run = [](bool caching) {
    ReplicaSpec spec = roomy_spec(120);
    spec.prefix_caching = caching;
    Bench b(spec, std::make_shared<LinearIterationCost>(LinearIterationCostSpec{5_ms, 10_us, 1_ms, 1000.0}));
    for (std::uint64_t i = 0; i < 40; ++i) {
      const auto k = static_cast<std::int64_t>(i);
      // Some arrive while the one before is still decoding.
      b.enqueue_at(Time::ms(k * 300), request(i, 100 + k % 7 * 60, 40 + k % 5 * 20, ids(k * 1000, 40)));
    }
    b.engine.run();
    return std::make_tuple(b.done, b.replica.prefix_hit_tokens(), b.replica.kv_blocks_evicted());
  };
  const auto [off, off_hits, off_evicted] = run(false);
  const auto [on, on_hits, on_evicted] = run(true);
  CHECK(on_hits == 0);
  CHECK(off_hits == 0);
  CHECK(off_evicted == 0);
  CHECK(on_evicted > 0);  // the cache really filled
  REQUIRE(on.size() == off.size());
  for (const auto& [id, o] : off) {
    CHECK(on.at(id).first_token == o.first_token);
    CHECK(on.at(id).finish == o.finish);
    CHECK(on.at(id).preemptions == 0);
  }
}

TEST_CASE("prefix affinity routes to the longest cached prefix until that replica is too loaded") {
  Engine engine{5};
  RequestRouterSpec spec{"test", RoutingPolicy::kPrefixAffinity};
  spec.affinity_margin = 2;
  spec.affinity_ratio = 1.5;
  RequestRouter router(engine, spec);
  std::map<std::uint64_t, RequestOutcome> done;
  router.on_request_done.connect([&done](const RequestOutcome& o) { done[o.id] = o; });
  for (int i = 0; i < 2; ++i)
    router.add_replica(std::make_unique<Replica>(engine, router.next_replica_id(), caching_spec(), fixed_cost(1_s)))
        .start(0_s, 0_s);
  // Replica 1 computes a 64-token prompt and keeps its blocks.
  router.replicas()[1]->enqueue(request(100, 64, 1, ids(0, 4)));
  engine.run();
  REQUIRE(router.replicas()[1]->cached_prefix_blocks(request(0, 64, 1, ids(0, 4))) == 3);
  // Requests starting with that prefix go to replica 1 while it has at most 2 more
  // outstanding than replica 0 (or no more than 1.5x as many).
  engine.schedule_at(10_s, [&] {
    for (std::uint64_t id = 1; id <= 4; ++id) router.submit(request(id, 64, 1, ids(0, 4)));
  });
  engine.run();
  CHECK(done.at(1).replica == 1);  // 0 vs 0
  CHECK(done.at(2).replica == 1);  // 1 vs 0
  CHECK(done.at(3).replica == 1);  // 2 vs 0: not more than the margin
  CHECK(done.at(4).replica == 0);  // 3 vs 0: over both; the least loaded takes it
}
