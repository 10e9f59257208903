#include <catch2/catch.hpp>

#include <cmath>

#include "sim/training/checkpoint.hpp"
#include "sim/training/cluster_scheduler.hpp"
#include "sim/training/failure_model.hpp"

using namespace cs;
using namespace cs::time_literals;

TEST_CASE("the default GPU MTBF is the Llama 3 report's 419 interruptions in 54 days on 16,384 GPUs") {
  // 16,384 x 54 x 24 = 21,233,664 GPU-hours / 419 = 50,676.99 h per GPU.
  CHECK(kLlama3GpuMtbfHours == Approx(50676.99).epsilon(1e-6));
  CHECK(FailureSpec{}.gpu_mtbf_h == kLlama3GpuMtbfHours);
  // A 16,384-GPU job is interrupted every 50,677 / 16,384 = 3.09 h, as the report observed
  // (419 in 54 x 24 = 1,296 h: every 3.09 h).
  CHECK(kLlama3GpuMtbfHours / 16384.0 == Approx(1296.0 / 419.0));
}

TEST_CASE("checkpoint formulas: write time, Young's interval and lost work per failure") {
  // 70B parameters x 14 bytes = 980 GB at 10 GB/s: 98 s.
  CHECK(training_checkpoint_bytes(70e9) == 980e9);
  CHECK(checkpoint_write_time(980e9, 10e9) == 98_s);
  // sqrt(2 x 10,000 s x 50 s) = 1,000 s.
  CHECK(young_daly_interval(Time::s(10000), 50_s) == Time::s(1000));
  // λT -> 0: T/2. T = 60 s, MTBF 1e6 s: 30 s less a hair (1/λ − T/(e^{λT}−1) ≈ T/2 − λT²/12).
  CHECK(expected_lost_work_per_failure_s(60_s, Time::s(1000000)) == Approx(30.0 - 60.0 * 60.0 / 12e6).epsilon(1e-9));
  // λT = 0.5, T = 3,600 s: 7,200 − 3,600 / (e^0.5 − 1) = 1,650.6 s.
  CHECK(expected_lost_work_per_failure_s(3600_s, 7200_s) == Approx(7200.0 - 3600.0 / std::expm1(0.5)));
  CHECK(expected_lost_work_per_failure_s(Time(), 7200_s) == 7200.0);
}

TEST_CASE("the failure injector fails nodes at the MTBF rate, one event per failure") {
  Engine engine(3);
  FailureSpec spec;
  spec.gpu_mtbf_h = 1000;  // an 8-GPU node: 8 / 1,000 failures per hour
  spec.repair_time = 1_s;
  FailureInjector failures(engine, spec, 100, 8);
  int down = 0;
  int up = 0;
  failures.on_node_down.connect([&](int, bool gpu_fault) {
    CHECK(gpu_fault);
    ++down;
  });
  failures.on_node_up.connect([&](int) { ++up; });
  failures.start();
  engine.run_until(10000_h);
  // 100 nodes x 0.008 /h x 10,000 h = 8,000 expected (the 1 s repairs take a negligible
  // share); Poisson: sd = sqrt(8,000) = 89, so 4 sd = 358.
  CHECK(std::abs(down - 8000) < 358);
  CHECK(up >= down - 100);
  CHECK(failures.failures() == static_cast<std::uint64_t>(down));
}

TEST_CASE("a job under MTBF-driven failures loses on average the truncated-exponential share of its interval") {
  // One 8-GPU node failing every 2 h on average (per-GPU MTBF 16 h), a job checkpointing every
  // hour of work (write 0, restart 0, repair 1 s): each failure lands at an exponential time
  // into its up period, and the work lost is that time modulo the interval, whose mean is
  // 1/λ − T/(e^{λT} − 1) = 1,650.6 s (not T/2 = 1,800 s: λT = 0.5 is not small).
  const Time interval = 3600_s;
  const Time mtbf = 7200_s;
  const double expected = expected_lost_work_per_failure_s(interval, mtbf);
  double lost = 0;
  int failures_total = 0;
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    Engine engine(seed);
    auto inventory = ClusterInventory::uniform(1, 8, 1);
    ClusterScheduler s(engine, inventory, {}, nullptr);
    FailureSpec spec;
    spec.gpu_mtbf_h = 16;
    spec.repair_time = 1_s;
    FailureInjector injector(engine, spec, 1, 8);
    s.attach(injector);
    ClusterJobSpec job;
    job.name = "long";
    job.gpus = 8;
    job.duration = Time::s(500 * 3600);
    job.checkpoint = {interval, Time(), Time()};
    s.submit(job);
    ClusterJobRecord record;
    s.on_job_finished.connect([&](const ClusterJobRecord& r) { record = r; });
    injector.start();
    while (record.id == 0 && engine.pending_events() > 0) engine.run_until(engine.now() + 1000_h);
    REQUIRE(record.status == ClusterJobStatus::kFinished);
    CHECK(record.useful_work_s == 500.0 * 3600);
    lost += record.lost_work_s;
    failures_total += record.failures;
  }
  // Each loss lies in [0, T), so its standard deviation is at most T/2 and the mean of N
  // losses has sd <= T / (2 sqrt N); 4 of those bound the check (N is about 2,300 here: a
  // 500 h job loses ~23%, so ~290 failures per seed).
  REQUIRE(failures_total > 1000);
  const double mean = lost / failures_total;
  const double bound = 4 * interval.seconds() / (2 * std::sqrt(static_cast<double>(failures_total)));
  CHECK(std::abs(mean - expected) < bound);
}
