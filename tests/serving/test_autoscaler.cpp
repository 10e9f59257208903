#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "sim/serving/autoscaler.hpp"
#include "tests/serving/serving_test_support.hpp"

using namespace cs;
using namespace cs::time_literals;
using cs::test::fixed_cost;
using cs::test::roomy_spec;

namespace {

// Replicas of 4 GPUs serving one-token requests one at a time in 10 ms: 100 requests/s each.
struct ScaledPool {
  Engine engine{21};
  RequestRouter router{engine, RequestRouterSpec{"pool", RoutingPolicy::kLeastOutstanding, 0}};
  Autoscaler autoscaler;
  std::vector<std::pair<Time, int>> ready_timeline;  // (when, ready replicas) at each change
  std::int64_t peak_gpus = 0;
  std::uint64_t outstanding_when_drained = 0;

  static ReplicaFactory factory(Engine& engine, int max_num_seqs) {
    return [&engine, max_num_seqs](std::uint32_t id) {
      ReplicaSpec spec = roomy_spec();
      spec.gpus = 4;
      spec.max_num_seqs = max_num_seqs;
      return std::make_unique<Replica>(engine, id, spec, fixed_cost(10_ms));
    };
  }
  ScaledPool(const AutoscalerSpec& spec, int max_num_seqs = 1)
      : autoscaler(engine, router, spec, factory(engine, max_num_seqs)) {
    router.on_replica_state.connect([this](const Replica& r, ReplicaState) {
      ready_timeline.emplace_back(engine.now(), router.count_in(ReplicaState::kReady));
      peak_gpus = std::max(peak_gpus, router.gpus_in_use());
      if (r.state() == ReplicaState::kDraining) outstanding_when_drained += r.outstanding();
    });
  }
  int ready_at(Time t) const {
    int n = 0;
    for (const auto& [when, ready] : ready_timeline)
      if (when <= t) n = ready;
    return n;
  }
  Time first_time_ready_above(int n) const {
    for (const auto& [when, ready] : ready_timeline)
      if (ready > n) return when;
    return Time::max();
  }
};

// Poisson arrivals of (input, output)-token requests at `rate(t)` per second until `end`.
template <typename Rate>
void feed(ScaledPool& p, Rate rate, std::int64_t output, Time end) {
  struct Next {
    ScaledPool* p;
    Rate rate;
    std::int64_t output;
    Time end;
    std::uint64_t id;
    void operator()() const {
      Engine& e = p->engine;
      if (id > 0) p->router.submit({id, e.now(), 100, output});
      const Time at = e.now() + Time::from_seconds_round(e.random("arrivals").exponential(rate(e.now())));
      if (at <= end) e.schedule_at(at, Next{p, rate, output, end, id + 1});
    }
  };
  Next{&p, rate, output, end, 0}();
}

AutoscalerSpec queue_target_spec() {
  AutoscalerSpec spec;
  spec.metric = ScalingMetric::kQueuePerReplica;
  spec.target = 5;
  spec.evaluation_period = 10_s;
  spec.provisioning_delay = 30_s;
  spec.weight_load_delay = 60_s;
  spec.scale_down_cooldown = 60_s;
  spec.min_replicas = 1;
  spec.gpus_per_replica = 4;
  return spec;
}

}  // namespace

TEST_CASE("after a 10x rate step, ready replicas rise only once provisioning and weight loading are done") {
  AutoscalerSpec spec = queue_target_spec();
  spec.max_replicas = 8;
  spec.gpu_limit = 24;  // the provider has 24 GPUs: six replicas of four
  ScaledPool p(spec);
  p.autoscaler.start(1, 600_s);
  // 50/s (half of one replica) until 100 s, then 500/s
  feed(
      p, [](Time t) { return t < 100_s ? 50.0 : 500.0; }, 1, 600_s);
  p.engine.run();
  // The first evaluation that sees the queue is at 110 s; 30 s + 60 s later, at 200 s, the new
  // replicas are ready, and not a moment before.
  CHECK(p.ready_at(199_s) == 1);
  CHECK(p.first_time_ready_above(1) == 200_s);
  // desired = ceil(queue / 5) is far above 8, but the 24 GPUs hold only 6 replicas
  CHECK(p.ready_at(200_s) == 6);
  CHECK(p.peak_gpus <= 24);
  CHECK(p.autoscaler.capacity_shortfall() > 0);
  CHECK(p.router.count_of(RequestStatus::kCompleted) == p.router.arrived());
}

TEST_CASE("the autoscaler never runs more replicas than max_replicas") {
  AutoscalerSpec spec = queue_target_spec();
  spec.max_replicas = 3;
  ScaledPool p(spec);
  p.autoscaler.start(1, 400_s);
  feed(
      p, [](Time t) { return t < 100_s ? 50.0 : 500.0; }, 1, 400_s);
  p.engine.run();
  int peak = 0;
  for (const auto& [when, ready] : p.ready_timeline) peak = std::max(peak, ready);
  CHECK(peak == 3);
  CHECK(p.peak_gpus == 12);
  CHECK(p.autoscaler.capacity_shortfall() == 0);
}

TEST_CASE("scaling down drains replicas without losing a request") {
  AutoscalerSpec spec = queue_target_spec();
  spec.max_replicas = 4;
  ScaledPool p(spec, /*max_num_seqs=*/16);
  p.autoscaler.start(4, 300_s);
  // 4 requests/s of 200 tokens (2 s each): ~8 in flight, no queue; at 10 s the autoscaler
  // wants ceil(4 · 0 / 5) → min 1 and drains three replicas that still hold requests.
  feed(
      p, [](Time) { return 4.0; }, 200, 300_s);
  p.engine.run();
  CHECK(p.autoscaler.replicas_removed() == 3);
  CHECK(p.ready_at(10_s) == 1);
  CHECK(p.router.count_in(ReplicaState::kStopped) == 3);
  CHECK(p.outstanding_when_drained > 0);  // drained while still holding requests
  CHECK(p.router.count_of(RequestStatus::kCompleted) == p.router.arrived());
  CHECK(p.router.count_of(RequestStatus::kUnfinished) == 0);
}

TEST_CASE("a scale-down step limit removes at most that share of the replicas per action") {
  AutoscalerSpec spec = queue_target_spec();
  spec.max_replicas = 4;
  spec.max_scale_down_fraction = 0.5;
  ScaledPool p(spec, /*max_num_seqs=*/16);
  p.autoscaler.start(4, 300_s);
  // As above the pool wants 1 replica from 10 s on; half of 4 go at 10 s, then (after the 60 s
  // cooldown) half of 2 at 70 s.
  feed(
      p, [](Time) { return 4.0; }, 200, 300_s);
  p.engine.run();
  CHECK(p.ready_at(10_s) == 2);
  CHECK(p.ready_at(69_s) == 2);
  CHECK(p.ready_at(70_s) == 1);
  CHECK(p.autoscaler.replicas_removed() == 3);
  CHECK(p.router.count_of(RequestStatus::kCompleted) == p.router.arrived());
}

TEST_CASE("a scale-down stabilization window keeps the highest recent recommendation") {
  AutoscalerSpec spec = queue_target_spec();
  spec.max_replicas = 4;
  spec.scale_down_cooldown = 0_s;
  spec.scale_down_stabilization = 30_s;
  ScaledPool p(spec, /*max_num_seqs=*/16);
  p.autoscaler.start(4, 300_s);
  // The start recommends 4 at t = 0; evaluations at 10, 20, 30 s recommend 1 but the window
  // still holds t = 0 (inclusive), so the first scale-down is at 40 s.
  feed(
      p, [](Time) { return 4.0; }, 200, 300_s);
  p.engine.run();
  CHECK(p.ready_at(39_s) == 4);
  CHECK(p.ready_at(40_s) == 1);
  CHECK(p.autoscaler.replicas_removed() == 3);
}

TEST_CASE("a utilization target adds a replica when the busy fraction exceeds it") {
  AutoscalerSpec spec = queue_target_spec();
  spec.metric = ScalingMetric::kUtilization;
  spec.target = 0.5;
  spec.max_replicas = 4;
  ScaledPool p(spec);
  p.autoscaler.start(1, 300_s);
  // 70 one-token requests/s of 10 ms: busy 0.7 → desired ceil(1 · 0.7 / 0.5) = 2, ordered at
  // 10 s, ready at 100 s; then two replicas at 0.35 each: ceil(2 · 0.7) = 2, it stays.
  feed(
      p, [](Time) { return 70.0; }, 1, 300_s);
  p.engine.run();
  CHECK(p.first_time_ready_above(1) == 100_s);
  CHECK(p.ready_at(300_s) == 2);
  CHECK(p.autoscaler.last_metric() == Approx(0.35).epsilon(0.15));
}

TEST_CASE("a TTFT target adds replicas when the p99 TTFT of the window exceeds it") {
  AutoscalerSpec spec = queue_target_spec();
  spec.metric = ScalingMetric::kTtftPercentile;
  spec.target = 0.5;  // seconds
  spec.ttft_quantile = 0.99;
  spec.ttft_window = 30_s;
  spec.max_replicas = 4;
  ScaledPool p(spec);
  p.autoscaler.start(1, 400_s);
  feed(
      p, [](Time t) { return t < 100_s ? 50.0 : 150.0; }, 1, 400_s);
  p.engine.run();
  CHECK(p.ready_at(100_s) == 1);
  CHECK(p.first_time_ready_above(1) >= 100_s + 90_s);
  CHECK(p.ready_at(400_s) >= 2);
  CHECK(p.router.count_of(RequestStatus::kCompleted) == p.router.arrived());
}

TEST_CASE("an autoscaler that could not fit its minimum in the provider's GPUs is refused") {
  Engine engine(1);
  RequestRouter router(engine, RequestRouterSpec{});
  AutoscalerSpec spec = queue_target_spec();
  spec.min_replicas = 3;
  spec.max_replicas = 4;
  spec.gpu_limit = 8;
  CHECK_THROWS_AS(Autoscaler(engine, router, spec, ScaledPool::factory(engine, 1)), std::invalid_argument);
}

TEST_CASE("a concurrency target orders ceil(requests in the system / target) replicas") {
  AutoscalerSpec spec = queue_target_spec();
  spec.metric = ScalingMetric::kConcurrency;
  spec.target = 8;  // sequences per replica
  spec.max_replicas = 8;
  ScaledPool p(spec, /*max_num_seqs=*/16);
  p.autoscaler.start(1, 200_s);
  // 30 requests at once, each decoding 20,000 tokens at 10 ms a step (200 s): 16 run, 14 wait.
  for (std::uint64_t id = 0; id < 30; ++id) p.router.submit({id, Time{}, 100, 20'000});
  p.engine.run_until(10_s);
  // At 10 s: 30 in the system on 1 ready replica: desired = ceil(1 · 30 / 8) = ceil(3.75) = 4.
  CHECK(p.autoscaler.last_metric() == 30.0);
  CHECK(p.autoscaler.desired() == 4);
  p.engine.run_until(110_s);
  // Ready at 10 + 30 + 60 = 100 s; at 110 s, 30 / 4 = 7.5 is within 10% of 8: no change.
  CHECK(p.first_time_ready_above(1) == 100_s);
  CHECK(p.ready_at(110_s) == 4);
  CHECK(p.autoscaler.last_metric() == 7.5);
  CHECK(p.autoscaler.desired() == 4);
}

TEST_CASE("a concurrency target averaged over a window judges by the mean of its one-second samples") {
  AutoscalerSpec spec = queue_target_spec();
  spec.metric = ScalingMetric::kConcurrency;
  spec.target = 10;
  spec.load_window = 10_s;
  spec.max_replicas = 8;
  ScaledPool p(spec, /*max_num_seqs=*/64);
  p.autoscaler.start(1, 200_s);
  for (std::uint64_t id = 0; id < 8; ++id) p.router.submit({id, Time{}, 100, 20'000});
  p.engine.schedule_at(5_s, [&p] {
    for (std::uint64_t id = 8; id < 24; ++id) p.router.submit({id, p.engine.now(), 100, 20'000});
  });
  p.engine.run_until(10_s);
  // The evaluation at 10 s sees the samples at 1..9 s (the one at 0 s left the window; the one
  // at 10 s is taken after the evaluation): 8 at 1-4 s, 24 at 5-9 s.
  // mean = (4·8 + 5·24) / 9 = 152 / 9 = 16.89; desired = ceil(1 · 16.89 / 10) = 2, where the
  // instantaneous 24 would have ordered ceil(2.4) = 3.
  CHECK(p.autoscaler.last_metric() == Approx(152.0 / 9.0).epsilon(1e-12));
  CHECK(p.autoscaler.desired() == 2);
}

TEST_CASE("a KV-cache target orders replicas in proportion to the share of KV blocks in use") {
  Engine engine(5);
  RequestRouter router(engine, RequestRouterSpec{"pool", RoutingPolicy::kLeastOutstanding, 0});
  AutoscalerSpec spec = queue_target_spec();
  spec.metric = ScalingMetric::kKvCache;
  spec.target = 0.25;
  spec.max_replicas = 8;
  Autoscaler autoscaler(engine, router, spec, [&engine](std::uint32_t id) {
    ReplicaSpec r = roomy_spec(/*blocks=*/100, /*block_tokens=*/16);
    r.gpus = 4;
    return std::make_unique<Replica>(engine, id, r, fixed_cost(100_s));  // one slow prefill
  });
  autoscaler.start(1, 200_s);
  // Four prompts of 160 tokens take 4 · 160 / 16 = 40 of the 100 blocks for the prefill that
  // runs from 0 to 100 s: at 10 s the metric is 0.4 and desired = ceil(1 · 0.4 / 0.25) = 2.
  for (std::uint64_t id = 0; id < 4; ++id) router.submit({id, Time{}, 160, 10});
  engine.run_until(10_s);
  CHECK(autoscaler.last_metric() == Approx(0.4).epsilon(1e-12));
  CHECK(autoscaler.desired() == 2);
}
