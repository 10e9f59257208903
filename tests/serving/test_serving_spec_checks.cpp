#include <catch2/catch.hpp>

#include "sim/serving/serving_spec_checks.hpp"

using namespace cs;

namespace {

bool has_key(const SpecProblems& problems, const std::string& key) {
  for (const SpecProblem& p : problems)
    if (p.key == key) return true;
  return false;
}

}  // namespace

TEST_CASE("a replica spec finds chunked prefill under a scheduler that prefills whole prompts") {
  ReplicaSpec r;
  r.chunked_prefill = true;
  r.scheduler = SchedulerMode::kVllmV1;
  CHECK(validate(r).empty());
  r.scheduler = SchedulerMode::kOrca;
  const SpecProblems orca = validate(r);
  REQUIRE(orca.size() == 1);
  CHECK(orca[0].key == "chunked_prefill");
  r.scheduler = SchedulerMode::kVllmV0;
  CHECK(has_key(validate(r), "chunked_prefill"));
}

TEST_CASE("a serving pool spec lists every problem with its key under the pool's section") {
  ServingPoolSpec p;
  p.replica.swap_bytes_per_s = 64e9;
  CHECK(validate(p).empty());  // one replica, recompute preemption, round robin: nothing to refuse
  p.replica.scheduler = SchedulerMode::kOrca;
  p.replica.chunked_prefill = true;  // the replica's own problem, under replica.
  p.replica.preemption = PreemptionMode::kSwap;
  p.replica.swap_bytes_per_s = 0;                    // swap without a host link
  p.router.policy = RoutingPolicy::kPrefixAffinity;  // without prefix caching
  p.initial_replicas = 0;                            // and no autoscaler
  const SpecProblems all = validate(p);
  CHECK(all.size() == 4);
  CHECK(has_key(all, "replica.chunked_prefill"));
  CHECK(has_key(all, "replica.preemption"));
  CHECK(has_key(all, "pool.router"));
  CHECK(has_key(all, "pool.initial_replicas"));
  // An autoscaler may start from zero, but not with a ceiling under its floor.
  p = ServingPoolSpec{};
  p.initial_replicas = 0;
  p.autoscaler.emplace();
  p.autoscaler->min_replicas = 3;
  p.autoscaler->max_replicas = 2;
  const SpecProblems scaled = validate(p);
  REQUIRE(scaled.size() == 1);
  CHECK(scaled[0].key == "pool.autoscaler.max_replicas");
}
