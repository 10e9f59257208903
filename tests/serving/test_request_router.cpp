#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "sim/serving/request_router.hpp"
#include "tests/serving/serving_test_support.hpp"

using namespace cs;
using namespace cs::time_literals;
using cs::test::fixed_cost;
using cs::test::roomy_spec;

namespace {

// A router over `n` replicas; the first `ready` of them start ready at once, the rest boot in 10 s.
struct Pool {
  Engine engine{3};
  RequestRouter router;
  std::map<std::uint64_t, RequestOutcome> done;
  Pool(RoutingPolicy policy, int n, int ready, std::int64_t max_queued = 0)
      : router(engine, RequestRouterSpec{"test", policy, max_queued}) {
    router.on_request_done.connect([this](const RequestOutcome& o) { done[o.id] = o; });
    for (int i = 0; i < n; ++i) {
      Replica& r = router.add_replica(
          std::make_unique<Replica>(engine, router.next_replica_id(), roomy_spec(), fixed_cost(1_ms)));
      if (i < ready)
        r.start(0_s, 0_s);
      else
        r.start(4_s, 6_s);
    }
  }
  Replica& replica(std::size_t i) { return *router.replicas()[i]; }
  void submit(std::uint64_t id) { router.submit({id, engine.now(), 10, 1}); }
};

}  // namespace

TEST_CASE("round robin visits the ready replicas in turn and skips one still booting") {
  Pool p(RoutingPolicy::kRoundRobin, 4, 3);
  for (std::uint64_t id = 0; id < 7; ++id) p.submit(id);
  p.engine.run();
  const std::uint32_t expected[] = {0, 1, 2, 0, 1, 2, 0};
  for (std::uint64_t id = 0; id < 7; ++id) CHECK(p.done.at(id).replica == expected[id]);
}

TEST_CASE("join-shortest-queue and least-outstanding pick the replica with the fewest requests") {
  for (const RoutingPolicy policy : {RoutingPolicy::kJoinShortestQueue, RoutingPolicy::kLeastOutstanding}) {
    Pool p(policy, 3, 3);
    // queues before the engine runs: replica 0 holds 3, replica 1 holds 1, replica 2 holds 2
    std::uint64_t id = 100;
    for (const auto& [replica, n] : std::map<std::size_t, int>{{0, 3}, {1, 1}, {2, 2}})
      for (int k = 0; k < n; ++k) p.replica(replica).enqueue({id++, 0_s, 10, 1});
    p.submit(1);  // → 1 (1 queued), which then holds 2: a tie with 2, broken by lowest id
    p.submit(2);  // → 1
    p.submit(3);  // replica 0: 3, 1: 3, 2: 2 → 2
    p.engine.run();
    CHECK(p.done.at(1).replica == 1);
    CHECK(p.done.at(2).replica == 1);
    CHECK(p.done.at(3).replica == 2);
  }
}

TEST_CASE("join-shortest-queue counts waiting requests, least-outstanding counts running ones too") {
  // replica 0 runs 4 long requests and has none waiting; replica 1 has 1 waiting, none running
  for (const auto& [policy, expected] : std::map<RoutingPolicy, std::uint32_t>{{RoutingPolicy::kJoinShortestQueue, 0},
                                                                               {RoutingPolicy::kLeastOutstanding, 1}}) {
    Pool p(policy, 2, 2);
    for (std::uint64_t id = 100; id < 104; ++id) p.replica(0).enqueue({id, 0_s, 10, 1000});
    p.engine.run_until(1_ms);  // replica 0's four are admitted
    REQUIRE(p.replica(0).running() == 4);
    p.replica(1).enqueue({200, p.engine.now(), 10, 1});
    p.submit(1);
    p.engine.run();
    CHECK(p.done.at(1).replica == expected);
  }
}

TEST_CASE("power of two choices sends each request to the less loaded of two distinct replicas") {
  Pool p(RoutingPolicy::kPowerOfTwo, 2, 2);
  for (std::uint64_t id = 100; id < 105; ++id) p.replica(0).enqueue({id, 0_s, 10, 1});
  // with two replicas both are always drawn: the emptier one wins every time
  p.submit(1);
  p.submit(2);
  p.engine.run();
  CHECK(p.done.at(1).replica == 1);
  CHECK(p.done.at(2).replica == 1);
}

TEST_CASE("requests wait at the router while no replica is ready and go out when one is") {
  Pool p(RoutingPolicy::kLeastOutstanding, 1, 0);
  p.submit(1);
  p.submit(2);
  CHECK(p.router.backlog() == 2);
  CHECK(p.router.queued() == 2);
  p.engine.run();
  // ready at 4 + 6 = 10 s; both prefill together in one 1 ms iteration
  CHECK(p.done.at(1).first_scheduled == 10_s);
  CHECK(p.done.at(2).finish == 10_s + 1_ms);
}

TEST_CASE("admission control rejects requests past the queue bound and counts them") {
  Pool p(RoutingPolicy::kRoundRobin, 1, 1, /*max_queued=*/3);
  for (std::uint64_t id = 0; id < 5; ++id) p.submit(id);  // all at time 0: nothing admitted yet
  p.engine.run();
  CHECK(p.router.arrived() == 5);
  CHECK(p.router.count_of(RequestStatus::kRejected) == 2);
  CHECK(p.router.count_of(RequestStatus::kCompleted) == 3);
  CHECK(p.done.at(3).status == RequestStatus::kRejected);
  CHECK(p.done.at(3).finish == 0_s);
  CHECK(p.done.at(3).replica == kNoReplica);
}
