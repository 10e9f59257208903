// Each scheduler mode on a few requests whose schedule is traced by hand: every iteration
// costs a fixed 10 ms, so the times below are counts of iterations.
#include <catch2/catch.hpp>

#include <map>
#include <vector>

#include "sim/serving/replica.hpp"
#include "tests/serving/serving_test_support.hpp"

using namespace cs;
using namespace cs::time_literals;
using cs::test::fixed_cost;
using cs::test::roomy_spec;

namespace {

struct Bench {
  Engine engine{1};
  Replica replica;
  std::map<std::uint64_t, RequestOutcome> done;
  std::vector<IterationRecord> iterations;
  explicit Bench(const ReplicaSpec& spec) : replica(engine, 0, spec, fixed_cost(10_ms)) {
    replica.on_request_done.connect([this](const RequestOutcome& o) { done[o.id] = o; });
    replica.on_iteration_end.connect([this](const IterationRecord& r) { iterations.push_back(r); });
    replica.start(0_s, 0_s);
  }
  void enqueue_at(Time at, std::uint64_t id, std::int64_t input, std::int64_t output) {
    engine.schedule_at(at, [this, id, input, output] { replica.enqueue({id, engine.now(), input, output}); });
  }
};

ReplicaSpec mode_spec(SchedulerMode mode, std::int64_t max_batched_tokens = 1000) {
  ReplicaSpec spec = roomy_spec();
  spec.scheduler = mode;
  spec.max_batched_tokens = max_batched_tokens;
  spec.kv_watermark = 0;
  return spec;
}

}  // namespace

TEST_CASE("vllm_v0 pauses running decodes for an iteration that only prefills a new prompt") {
  // A: prefill 0-10 ms, decodes from 10 ms; B arrives at 15 ms and joins at the next step
  // boundary (20 ms) in a prefill-only iteration (20-30 ms) in which A does not decode. Then
  // both decode: B's last token at 50 ms, A's (fifth) at 60 ms.
  Bench v0(mode_spec(SchedulerMode::kVllmV0));
  v0.enqueue_at(0_s, 1, 100, 5);
  v0.enqueue_at(15_ms, 2, 100, 3);
  v0.engine.run();
  CHECK(v0.done.at(2).first_scheduled == 20_ms);
  CHECK(v0.done.at(2).ttft() == 15_ms);
  CHECK(v0.done.at(2).finish == 50_ms);
  CHECK(v0.done.at(1).finish == 60_ms);
  // The 20-30 ms iteration held B's prompt and no decode.
  bool found = false;
  for (const IterationRecord& r : v0.iterations)
    if (r.start == 20_ms) {
      found = true;
      CHECK(r.end == 30_ms);
      CHECK(r.prefill_tokens == 100);
      CHECK(r.decode_sequences == 0);
      CHECK(r.batch_size == 1);
    }
  CHECK(found);

  // vllm_v1 runs A's decode beside B's prompt in that iteration, so A ends a step earlier.
  Bench v1(mode_spec(SchedulerMode::kVllmV1));
  v1.enqueue_at(0_s, 1, 100, 5);
  v1.enqueue_at(15_ms, 2, 100, 3);
  v1.engine.run();
  CHECK(v1.done.at(2).ttft() == 15_ms);
  CHECK(v1.done.at(1).finish == 50_ms);
  CHECK(v1.done.at(2).finish == 50_ms);
}

TEST_CASE("vllm_v0 counts its token budget as prompts times the longest of them") {
  // Prompts of 400, 300 and 200 tokens: 2 × 400 = 800 fit 1000 tokens, 3 × 400 = 1200 do not,
  // so the 200-token prompt waits for the next iteration although 900 tokens would fit.
  Bench v0(mode_spec(SchedulerMode::kVllmV0));
  v0.enqueue_at(0_s, 1, 400, 2);
  v0.enqueue_at(0_s, 2, 300, 2);
  v0.enqueue_at(0_s, 3, 200, 2);
  v0.engine.run();
  CHECK(v0.done.at(1).first_token == 10_ms);
  CHECK(v0.done.at(2).first_token == 10_ms);
  CHECK(v0.done.at(3).first_scheduled == 10_ms);
  CHECK(v0.done.at(3).first_token == 20_ms);

  Bench v1(mode_spec(SchedulerMode::kVllmV1));
  v1.enqueue_at(0_s, 1, 400, 2);
  v1.enqueue_at(0_s, 2, 300, 2);
  v1.enqueue_at(0_s, 3, 200, 2);
  v1.engine.run();
  CHECK(v1.done.at(3).first_token == 10_ms);
}

TEST_CASE("vllm_v0 stops adding prompts once padding them to the longest wastes over 256 tokens") {
  // 400 and 100: 2 × 400 = 800 fit 1000 tokens, but 300 of them would be padding (> 256), so
  // the 100-token prompt waits for the next iteration; 400 and 200 (200 pad tokens) go together.
  Bench v0(mode_spec(SchedulerMode::kVllmV0));
  v0.enqueue_at(0_s, 1, 400, 2);
  v0.enqueue_at(0_s, 2, 100, 2);
  v0.engine.run();
  CHECK(v0.done.at(2).first_scheduled == 10_ms);
  Bench together(mode_spec(SchedulerMode::kVllmV0));
  together.enqueue_at(0_s, 1, 400, 2);
  together.enqueue_at(0_s, 2, 200, 2);
  together.engine.run();
  CHECK(together.done.at(2).first_scheduled == 0_s);
}

TEST_CASE("vllm_v0 refuses a prompt that would take the watermark of an empty cache") {
  // 100 blocks of 16 tokens and a 10% watermark: a 1440-token prompt (90 blocks) leaves the
  // 10 watermark blocks, a 1456-token one (91) cannot, though vllm_v1 serves it.
  ReplicaSpec spec = mode_spec(SchedulerMode::kVllmV0, 4096);
  spec.kv_block_tokens = 16;
  spec.kv_cache_bytes = 100 * 16;
  spec.kv_watermark = 0.10;
  Bench v0(spec);
  v0.enqueue_at(0_s, 1, 1440, 2);
  v0.enqueue_at(0_s, 2, 1456, 2);
  v0.engine.run();
  CHECK(v0.done.at(1).status == RequestStatus::kCompleted);
  CHECK(v0.done.at(2).status == RequestStatus::kDropped);

  spec.scheduler = SchedulerMode::kVllmV1;
  Bench v1(spec);
  v1.enqueue_at(0_s, 2, 1456, 2);
  v1.engine.run();
  CHECK(v1.done.at(2).status == RequestStatus::kCompleted);
}

TEST_CASE("vllm_v1 skips a prompt larger than the budget left while trtllm stops at it") {
  // A (100 tokens) decodes from 10 ms; B's 1000-token prompt and C's 100 arrive at 5 ms.
  // With A's decode the budget left is 999 tokens. vllm_v1 skips B and admits C at 10 ms;
  // B goes when the batch is empty (30 ms). TensorRT-LLM's micro-batch scheduler stops at B,
  // so C waits behind it: B at 30 ms, C beside B's first decode at 40 ms.
  Bench v1(mode_spec(SchedulerMode::kVllmV1));
  v1.enqueue_at(0_s, 1, 100, 3);
  v1.enqueue_at(5_ms, 2, 1000, 2);
  v1.enqueue_at(5_ms, 3, 100, 2);
  v1.engine.run();
  CHECK(v1.done.at(3).ttft() == 15_ms);
  CHECK(v1.done.at(2).first_scheduled == 30_ms);
  CHECK(v1.done.at(2).ttft() == 35_ms);

  Bench trt(mode_spec(SchedulerMode::kTrtllmMaxUtilization));
  trt.enqueue_at(0_s, 1, 100, 3);
  trt.enqueue_at(5_ms, 2, 1000, 2);
  trt.enqueue_at(5_ms, 3, 100, 2);
  trt.engine.run();
  CHECK(trt.done.at(2).ttft() == 35_ms);
  CHECK(trt.done.at(3).first_scheduled == 40_ms);
  CHECK(trt.done.at(3).ttft() == 45_ms);
  CHECK(trt.done.at(3).finish == 60_ms);
}

TEST_CASE("trtllm_no_evict admits only requests whose whole output fits and never preempts") {
  // 10 blocks of 16 tokens. Each request holds at most 16 + 64 − 1 = 79 tokens: 5 blocks, so
  // no-evict admits two and the third waits until the first two finish (after 64 iterations,
  // at 640 ms). Max-utilization admits all three on their 1-block prompts and preempts when
  // the growing sequences run out of blocks.
  ReplicaSpec spec = mode_spec(SchedulerMode::kTrtllmNoEvict);
  spec.kv_cache_bytes = 10 * 16;
  Bench no_evict(spec);
  for (std::uint64_t id = 1; id <= 3; ++id) no_evict.enqueue_at(0_s, id, 16, 64);
  no_evict.engine.run();
  CHECK(no_evict.done.at(1).finish == 640_ms);
  CHECK(no_evict.done.at(3).first_scheduled == 640_ms);
  CHECK(no_evict.replica.preemptions() == 0);
  CHECK(no_evict.done.at(3).status == RequestStatus::kCompleted);

  spec.scheduler = SchedulerMode::kTrtllmMaxUtilization;
  Bench max_util(spec);
  for (std::uint64_t id = 1; id <= 3; ++id) max_util.enqueue_at(0_s, id, 16, 64);
  max_util.engine.run();
  CHECK(max_util.done.at(3).first_scheduled == 0_s);
  CHECK(max_util.replica.preemptions() > 0);
  for (std::uint64_t id = 1; id <= 3; ++id) CHECK(max_util.done.at(id).status == RequestStatus::kCompleted);
}

TEST_CASE("orca batches a whole prompt beside running decodes with no token budget") {
  // A 500-token prompt over a 100-token budget: Orca prefills it whole at 10 ms beside A's
  // decode; vllm_v1 without chunking can never run it and drops it.
  Bench orca(mode_spec(SchedulerMode::kOrca, 100));
  orca.enqueue_at(0_s, 1, 50, 3);
  orca.enqueue_at(5_ms, 2, 500, 2);
  orca.engine.run();
  CHECK(orca.done.at(2).ttft() == 15_ms);
  CHECK(orca.done.at(1).finish == 30_ms);

  Bench v1(mode_spec(SchedulerMode::kVllmV1, 100));
  v1.enqueue_at(5_ms, 2, 500, 2);
  v1.engine.run();
  CHECK(v1.done.at(2).status == RequestStatus::kDropped);
}

TEST_CASE("a swap preemption copies the victim's KV out over PCIe instead of recomputing it") {
  // 4 blocks of 16 tokens; A and B (16-token prompts, 40 outputs) take one block each, then
  // two each after the first decode. At 170 ms both hold 32 tokens and A needs a third block:
  // B (newest) is preempted with 32 tokens cached. At 1 byte per token and 1000 B/s the swap
  // adds 32 ms to that iteration; recomputation adds nothing now and 32 tokens later.
  ReplicaSpec spec = mode_spec(SchedulerMode::kVllmV1);
  spec.kv_cache_bytes = 4 * 16;
  spec.swap_bytes_per_s = 1000;
  const auto iteration_at = [](const Bench& b, Time start) {
    for (const IterationRecord& r : b.iterations)
      if (r.start == start) return r;
    FAIL("no iteration starts then");
    return IterationRecord{};
  };
  for (const PreemptionMode mode : {PreemptionMode::kSwap, PreemptionMode::kRecompute}) {
    spec.preemption = mode;
    Bench b(spec);
    b.enqueue_at(0_s, 1, 16, 40);
    b.enqueue_at(0_s, 2, 16, 40);
    b.engine.run();
    const RequestOutcome& victim = b.done.at(2);
    CHECK(victim.status == RequestStatus::kCompleted);
    CHECK(victim.preemptions == 1);
    CHECK(b.done.at(1).preemptions == 0);
    if (mode == PreemptionMode::kSwap) {
      CHECK(victim.swapped_tokens == 32);
      CHECK(victim.recomputed_tokens == 0);
      CHECK(iteration_at(b, 170_ms).end == 212_ms);
    } else {
      CHECK(victim.swapped_tokens == 0);
      CHECK(victim.recomputed_tokens == 32);
      CHECK(iteration_at(b, 170_ms).end == 180_ms);
    }
  }
}

TEST_CASE("modes without chunked prefill refuse it") {
  Engine engine{1};
  ReplicaSpec spec = mode_spec(SchedulerMode::kVllmV0);
  spec.chunked_prefill = true;
  CHECK_THROWS_AS(Replica(engine, 0, spec, fixed_cost(10_ms)), std::invalid_argument);
  spec.scheduler = SchedulerMode::kOrca;
  CHECK_THROWS_AS(Replica(engine, 0, spec, fixed_cost(10_ms)), std::invalid_argument);
}
