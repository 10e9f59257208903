#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <optional>
#include <stdexcept>
#include <memory>
#include <numeric>
#include <tuple>
#include <vector>

#include "../llm/catalog_fixture.hpp"
#include "sim/serving/kv_block_allocator.hpp"
#include "sim/serving/kv_host_copy.hpp"
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

// The host tier (replica.host_cache).

namespace {

// `id`'s one-block entry, computed and released (cached, evictable).
void cache_one(KvBlockAllocator& kv, std::int64_t id) {
  kv.take(1);
  kv.adopt(id, 1);
  const std::int64_t held[] = {id};
  kv.release(held);
}

// A replica with 8 GPU blocks of 16 tokens at 1,000 bytes a token (16,000 bytes a block), a
// host tier of 8 blocks, a host link of `link_bytes_per_s` and 4 layers.
ReplicaSpec host_tier_spec(double link_bytes_per_s, std::int64_t host_blocks = 8) {
  ReplicaSpec spec = roomy_spec(8);
  spec.kv_bytes_per_token = 1000;
  spec.kv_cache_bytes = 8 * 16 * 1000;
  spec.prefix_caching = true;
  spec.host_cache_bytes = static_cast<double>(host_blocks * 16 * 1000);
  spec.swap_bytes_per_s = link_bytes_per_s;
  spec.kv_layers = 4;
  return spec;
}

// Request 1 caches 4 blocks (ids 0-3); request 2, 8 blocks of other ids, fills the GPU cache
// and pushes request 1's blocks into the host tier; request 3 repeats request 1's prompt.
void evict_then_repeat(Bench& b) {
  b.enqueue_at(0_s, request(1, 64, 1, ids(0, 4)));
  b.enqueue_at(1_s, request(2, 128, 1, ids(100, 8)));
  b.enqueue_at(2_s, request(3, 64, 1, ids(0, 4)));
  b.engine.run();
}

// Within a nanosecond or two: the copy time is rounded up from bytes / rate.
bool near(std::optional<Time> t, Time expected) { return t && std::abs((*t - expected).count_ns()) <= 2; }

}  // namespace

TEST_CASE("a block evicted from GPU memory moves to the host tier and a hold copies it back") {
  KvBlockAllocator kv(4, 16, 2);
  kv.take(2);
  kv.adopt(1, 1);
  kv.adopt(2, 1);
  const std::vector<std::int64_t> prefix{1, 2};
  kv.release(prefix);
  kv.take(4);  // every GPU block: both entries are evicted, into the host tier
  CHECK(kv.evicted_blocks() == 2);
  CHECK(kv.offloaded_blocks() == 2);
  CHECK(kv.host_used() == 2);
  CHECK(kv.on_host(1));
  CHECK(kv.on_host(2));
  CHECK(kv.cached_prefix(prefix) == 2);  // still found, in the host tier
  CHECK(kv.evictable_blocks(prefix) == 0);
  CHECK(kv.host_blocks(prefix) == 2);
  kv.give_back(4);
  CHECK(kv.hold(prefix) == 2);  // copied back into two free GPU blocks
  CHECK(kv.used() == 2);
  CHECK(kv.host_used() == 0);
  CHECK(kv.host_loaded_blocks() == 2);
  CHECK_FALSE(kv.on_host(1));
  kv.release(prefix);
  CHECK(kv.cached() == 2);
}

TEST_CASE("the host tier drops its least recently evicted entry at its capacity") {
  KvBlockAllocator kv(3, 16, 2);
  for (const std::int64_t id : {10, 20, 30}) cache_one(kv, id);
  kv.take(3);  // evicts 10, 20, 30 in that order: 10 leaves the two-block host tier
  CHECK(kv.offloaded_blocks() == 3);
  CHECK(kv.host_evicted_blocks() == 1);
  CHECK(kv.host_used() == 2);
  CHECK_FALSE(kv.contains(10));
  CHECK(kv.on_host(20));
  CHECK(kv.on_host(30));
}

TEST_CASE("bringing host blocks back evicts other GPU entries into the host tier, never the ones held") {
  KvBlockAllocator kv(2, 16, 2);
  cache_one(kv, 1);
  cache_one(kv, 2);
  kv.take(2);  // 1 and 2 go to the host tier
  kv.give_back(2);
  cache_one(kv, 3);
  cache_one(kv, 4);  // the GPU holds 3 and 4, evictable; the host 1 and 2
  const std::vector<std::int64_t> prefix{1, 2};
  CHECK(kv.can_take(kv.host_blocks(prefix)));
  CHECK(kv.hold(prefix) == 2);
  // 3 and 4 were evicted into the host tier in their place; nothing was dropped.
  CHECK(kv.on_host(3));
  CHECK(kv.on_host(4));
  CHECK(kv.host_evicted_blocks() == 0);
  CHECK(kv.used() == 2);
  CHECK(kv.cached() == 0);
}

TEST_CASE("without a host tier, or for an entry larger than it, evicted blocks are gone") {
  KvBlockAllocator none(1, 16);
  cache_one(none, 1);
  none.take(1);
  CHECK_FALSE(none.contains(1));
  CHECK(none.offloaded_blocks() == 0);
  KvBlockAllocator small(4, 16, 1);
  small.take(2);
  small.adopt(7, 2);  // a two-block entry
  const std::int64_t seven[] = {7};
  small.release(seven);
  small.take(4);
  CHECK_FALSE(small.contains(7));
  CHECK(small.host_used() == 0);
  CHECK_THROWS_AS(KvBlockAllocator(4, 16, -1), std::invalid_argument);
}

TEST_CASE("a layer-wise copy adds one layer of the shorter of copy and compute to the longer") {
  // Compute-bound: 10 ms over 4 layers with 4.8 ms of copy: the first layer's copy (1.2 ms),
  // then the compute back to back.
  CHECK(layerwise_host_copy_time(10_ms, Time::us(4'800), 4) == Time::us(11'200));
  // Copy-bound: 48 ms of copy, then the last layer's compute (2.5 ms).
  CHECK(layerwise_host_copy_time(10_ms, 48_ms, 4) == Time::us(50'500));
  CHECK(layerwise_host_copy_time(10_ms, Time{}, 4) == 10_ms);
  // One layer: nothing overlaps, copy then compute.
  CHECK(layerwise_host_copy_time(10_ms, 48_ms, 1) == 58_ms);
  CHECK_THROWS_AS(layerwise_host_copy_time(10_ms, 1_ms, 0), std::invalid_argument);
}

TEST_CASE("a hit in the host tier skips exactly its tokens' prefill and pays their copy back") {
  SECTION("copy-bound: the host link is slower than the layers' compute") {
    // 1 MB/s: the 3 blocks of request 3's hit (48 tokens × 1,000 bytes) take 48 ms.
    Bench b(host_tier_spec(1e6), fixed_cost(10_ms));
    evict_then_repeat(b);
    CHECK(b.replica.prefix_host_hit_tokens() == 48);
    CHECK(b.replica.prefix_hit_tokens() == 48);
    CHECK(b.replica.kv_blocks_host_loaded() == 3);
    REQUIRE(b.iterations.size() == 3);
    CHECK(b.iterations[2].prefill_tokens == 16);  // 64 − 48
    // max(10, 48) + min(10, 48) / 4 = 50.5 ms.
    CHECK(near(b.done.at(3).ttft(), Time::us(50'500)));
    CHECK(b.replica.host_load_seconds() == Approx(0.048));
    CHECK(b.replica.host_load_exposed_seconds() == Approx(0.0405));
  }
  SECTION("compute-bound: the copy hides behind all but the first layer") {
    Bench b(host_tier_spec(1e7), fixed_cost(10_ms));
    evict_then_repeat(b);
    CHECK(b.replica.prefix_host_hit_tokens() == 48);
    // 10 + 4.8 / 4 = 11.2 ms.
    CHECK(near(b.done.at(3).ttft(), Time::us(11'200)));
    CHECK(b.replica.host_load_exposed_seconds() == Approx(0.0012));
  }
  SECTION("without the host tier the blocks were gone and the whole prompt is computed") {
    ReplicaSpec spec = host_tier_spec(1e6);
    spec.host_cache_bytes = 0;
    Bench b(spec, fixed_cost(10_ms));
    evict_then_repeat(b);
    CHECK(b.replica.prefix_hit_tokens() == 0);
    CHECK(b.iterations[2].prefill_tokens == 64);
    CHECK(b.done.at(3).ttft() == 10_ms);
  }
}

TEST_CASE("with no shared prefixes a host tier finds nothing in either tier and changes no outcome") {
  const auto run = [](double host_bytes) {
    ReplicaSpec spec = host_tier_spec(1e6);
    spec.kv_cache_bytes = 40 * 16 * 1000;
    spec.host_cache_bytes = host_bytes;
    Bench b(spec, fixed_cost(5_ms));
    for (std::uint64_t i = 0; i < 30; ++i) {
      const auto k = static_cast<std::int64_t>(i);
      // One at a time (none is preempted, which would find its own blocks again).
      b.enqueue_at(Time::ms(k * 300), request(i, 100 + k % 7 * 30, 10 + k % 5 * 10, ids(k * 1000, 20)));
    }
    b.engine.run();
    return std::make_tuple(b.done, b.replica.prefix_hit_tokens(), b.replica.prefix_host_hit_tokens(),
                           b.replica.kv_blocks_host_evicted());
  };
  const auto [off, off_hits, off_host_hits, off_dropped] = run(0);
  const auto [on, on_hits, on_host_hits, on_dropped] = run(64 * 16 * 1000);
  CHECK(on_hits == 0);
  CHECK(on_host_hits == 0);
  CHECK(off_hits == 0);
  CHECK(off_host_hits == 0);
  CHECK(off_dropped == 0);
  CHECK(on_dropped > 0);  // the host tier really filled and dropped blocks
  REQUIRE(on.size() == off.size());
  for (const auto& [id, o] : off) {
    CHECK(on.at(id).first_token == o.first_token);
    CHECK(on.at(id).finish == o.finish);
    CHECK(o.preemptions == 0);
  }
}

TEST_CASE("a host tier needs prefix caching and a host link") {
  Engine engine{1};
  ReplicaSpec spec = host_tier_spec(1e6);
  spec.prefix_caching = false;
  CHECK_THROWS_AS(Replica(engine, 0, spec, fixed_cost(1_ms)), std::invalid_argument);
  spec = host_tier_spec(0);
  CHECK_THROWS_AS(Replica(engine, 0, spec, fixed_cost(1_ms)), std::invalid_argument);
}
