#include <catch2/catch.hpp>

#include <stdexcept>

#include "sim/training/job_run.hpp"

using namespace cs;
using namespace cs::time_literals;

namespace {

ClusterJobSpec fixed(Time work, Time interval = Time(), Time write = Time(), Time restart = Time()) {
  ClusterJobSpec j;
  j.name = "j";
  j.gpus = 8;
  j.duration = work;
  j.checkpoint = CheckpointSpec{interval, write, restart};
  return j;
}

}  // namespace

TEST_CASE("a job never interrupted works straight through and finishes at its work") {
  JobRun run(fixed(100_s));
  CHECK(run.phase() == RunPhase::kQueued);
  run.start(10_s);
  CHECK(run.phase() == RunPhase::kWorking);  // a first start pays no restart
  REQUIRE(run.next_event(10_s) == 110_s);
  const JobRun::Step step = run.on_event(110_s);
  CHECK(step.finished);
  CHECK(step.saved);
  CHECK(step.saved_work == 100_s);
  CHECK(step.stretch.phase == RunPhase::kWorking);
  CHECK(step.stretch.duration == 100_s);
  CHECK(run.phase() == RunPhase::kDone);
  CHECK_FALSE(run.next_event(110_s).has_value());
}

TEST_CASE("checkpoints fall every interval of working time, each pausing for the write") {
  // 100 s of work, a checkpoint every 30 s of work taking 5 s: work 0-30, write 30-35, work
  // 35-65, write 65-70, work 70-100, write 100-105, work 105-115 (the last 10 s), done at 115.
  JobRun run(fixed(100_s, 30_s, 5_s));
  run.start(0_s);
  const Time expected[] = {30_s, 35_s, 65_s, 70_s, 100_s, 105_s, 115_s};
  const RunPhase after[] = {RunPhase::kCheckpointing, RunPhase::kWorking, RunPhase::kCheckpointing, RunPhase::kWorking,
                            RunPhase::kCheckpointing, RunPhase::kWorking, RunPhase::kDone};
  Time saved;
  for (int i = 0; i < 7; ++i) {
    const auto at = run.next_event(i == 0 ? 0_s : expected[i - 1]);
    REQUIRE(at == expected[i]);
    const JobRun::Step step = run.on_event(*at);
    if (step.saved) saved += step.saved_work;
    CHECK(run.phase() == after[i]);
  }
  CHECK(saved == 100_s);  // every working second was saved once
}

TEST_CASE("a checkpoint due exactly at the end is not taken") {
  JobRun run(fixed(60_s, 60_s, 5_s));
  run.start(0_s);
  REQUIRE(run.next_event(0_s) == 60_s);
  CHECK(run.on_event(60_s).finished);
}

TEST_CASE("an interruption loses the work since the last checkpoint and the restart costs its overhead") {
  // Work 0-30, write 30-35 (saves 30 s), work 35-50: interrupted at 50 with 15 s unsaved.
  JobRun run(fixed(100_s, 30_s, 5_s, 20_s));
  run.start(0_s);
  run.on_event(*run.next_event(0_s));
  run.on_event(*run.next_event(30_s));
  CHECK(run.unsaved_work(50_s) == 15_s);
  const JobRun::Interruption lost = run.interrupt(50_s);
  CHECK(lost.lost_work == 15_s);
  CHECK(lost.stretch.phase == RunPhase::kWorking);
  CHECK(lost.stretch.duration == 15_s);
  CHECK(run.phase() == RunPhase::kQueued);
  // Queued: the restart it owes plus the 70 s the checkpoint left.
  CHECK(run.expected_run_time(60_s) == 90_s);
  run.start(100_s);
  CHECK(run.phase() == RunPhase::kRestarting);
  REQUIRE(run.next_event(100_s) == 120_s);
  run.on_event(120_s);
  CHECK(run.phase() == RunPhase::kWorking);
  // 70 s of work left but a checkpoint is due after 30 s of it.
  CHECK(run.next_event(120_s) == 150_s);
}

TEST_CASE("an interrupted checkpoint write saves nothing") {
  JobRun run(fixed(100_s, 30_s, 10_s));
  run.start(0_s);
  run.on_event(30_s);  // the write starts
  REQUIRE(run.phase() == RunPhase::kCheckpointing);
  const JobRun::Interruption lost = run.interrupt(35_s);
  CHECK(lost.lost_work == 30_s);
  CHECK(lost.stretch.phase == RunPhase::kCheckpointing);
  CHECK(lost.stretch.duration == 5_s);
  CHECK(run.expected_run_time(35_s) == 100_s);  // all the work again, no restart overhead set
}

TEST_CASE("a model job counts iterations at the time it is given and is untimed until then") {
  ClusterJobSpec j;
  j.name = "m";
  j.gpus = 1;
  TrainingJobSpec t;
  t.global_batch_sequences = 1;
  t.sequence_length = 1;
  t.token_budget = 10;  // 10 iterations of one token
  t.parallel.tp = 1;
  j.training = t;
  JobRun run(j);
  run.start(0_s);
  CHECK_FALSE(run.next_event(0_s).has_value());
  CHECK_FALSE(run.expected_run_time(0_s).has_value());
  run.set_iteration_time(0_s, 2.0);
  CHECK(run.next_event(0_s) == 20_s);
  // At 8 s, 4 iterations are done; the time halves: the 6 left take 6 s more.
  const PhaseStretch s = run.set_iteration_time(8_s, 1.0);
  CHECK(s.iterations == Approx(4.0));
  CHECK(run.iterations_done() == Approx(4.0));
  CHECK(run.next_event(8_s) == 14_s);
  CHECK(run.expected_run_time(10_s) == 4_s);
  CHECK(run.on_event(14_s).finished);
  CHECK(run.iterations_done() == 10.0);
}

TEST_CASE("transitions out of order are refused") {
  JobRun run(fixed(10_s));
  CHECK_THROWS_AS(run.interrupt(0_s), std::logic_error);
  CHECK_THROWS_AS(run.on_event(0_s), std::logic_error);
  run.start(0_s);
  CHECK_THROWS_AS(run.start(1_s), std::logic_error);
  CHECK_THROWS_AS(run.set_iteration_time(1_s, 0.0), std::logic_error);
}

TEST_CASE("a transition beyond the clock's range never comes: no event, no expected end, rather than the end of time") {
  // Time holds ±292 years; a 200-year job started 100 years in would end past it.
  const Time century = Time::s(100LL * 365 * 24 * 3600);
  CHECK(instant_after(century, century) == century + century);
  CHECK_FALSE(instant_after(century * 2, century * 2).has_value());
  JobRun run(fixed(century * 2));
  run.start(century * 2);
  CHECK_FALSE(run.next_event(century * 2).has_value());
  // A restart overhead past the range: the restart never ends, so nothing is expected of it.
  JobRun restarting(fixed(100_s, Time(), Time(), century * 2));
  restarting.start(10_s);
  restarting.interrupt(20_s);
  restarting.start(century);
  CHECK(restarting.phase() == RunPhase::kRestarting);
  CHECK_FALSE(restarting.next_event(century).has_value());
  CHECK_FALSE(restarting.expected_run_time(century).has_value());
}
