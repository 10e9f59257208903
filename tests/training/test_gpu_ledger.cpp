#include <catch2/catch.hpp>

#include <cstdio>
#include <map>
#include <stdexcept>

#include "sim/engine/random.hpp"
#include "sim/training/cluster_scheduler.hpp"
#include "sim/training/failure_model.hpp"
#include "sim/training/gpu_ledger.hpp"

using namespace cs;
using namespace cs::time_literals;

TEST_CASE("the GPU ledger moves a GPU only from the owner the caller names, and counts every owner") {
  GpuLedger ledger(4);
  CHECK(ledger.count(GpuOwner::kFree) == 4);
  ledger.acquire(0, {GpuOwner::kTraining, 7});
  ledger.acquire(1, {GpuOwner::kLoan, 1});
  CHECK_THROWS_AS((ledger.acquire(0, {GpuOwner::kServing, 3})), std::logic_error);  // held by job 7
  CHECK_THROWS_AS((ledger.release(0, {GpuOwner::kTraining, 8})), std::logic_error);  // not job 8's
  CHECK_THROWS_AS((ledger.acquire(2, {GpuOwner::kDown, 0})), std::logic_error);      // states move by transfer
  ledger.transfer(2, {}, {GpuOwner::kDown, 0});
  CHECK_THROWS_AS((ledger.acquire(2, {GpuOwner::kTraining, 7})), std::logic_error);  // a down GPU is not free
  // Sharing pods hold GPU 3 together; it is free when the last one leaves.
  ledger.acquire(3, {GpuOwner::kTraining, 0}, true);
  ledger.acquire(3, {GpuOwner::kTraining, 0}, true);
  CHECK(ledger.holders(3) == 2);
  CHECK_THROWS_AS((ledger.transfer(3, {GpuOwner::kTraining, 0}, {GpuOwner::kServing, 1})), std::logic_error);
  ledger.release(3, {GpuOwner::kTraining, 0});
  CHECK(ledger.holder(3).owner == GpuOwner::kTraining);
  ledger.release(3, {GpuOwner::kTraining, 0});
  CHECK(ledger.holder(3).owner == GpuOwner::kFree);
  CHECK(ledger.count(GpuOwner::kTraining) == 1);
  CHECK(ledger.count(GpuOwner::kLoan) == 1);
  CHECK(ledger.count(GpuOwner::kDown) == 1);
  CHECK(ledger.count(GpuOwner::kFree) == 1);
  ledger.check();
}

TEST_CASE("every GPU has exactly one owner under failures, spares, loans and preemptions, over many seeds") {
  int failures_seen = 0, preemptions = 0, loans_made = 0, loans_revoked = 0;
  for (std::uint64_t seed = 1; seed <= 24; ++seed) {
    INFO("seed " << seed);
    Engine engine(seed);
    auto inventory = ClusterInventory::uniform(8, 8, 4);
    inventory.reserve_spares(1);
    ClusterScheduler s(engine, inventory, {SchedulingPolicy::kPriorityPreemptive, PlacementPolicy::kTopologyAware},
                       nullptr);
    // A failure about every 2 h over the 64 GPUs, each node out for 1 h.
    FailureSpec failures;
    failures.gpu_mtbf_h = 128;
    failures.repair_time = Time::s(3600);
    failures.spare_nodes = 1;
    FailureInjector injector(engine, failures, inventory.node_count(), inventory.max_gpus_per_node());
    s.attach(injector);
    injector.start();
    RandomStream& rng = engine.random("test.ledger");
    // Jobs of 1 to 16 GPUs (some sharing a GPU, some preemptible at low priority) every 10 min.
    for (int i = 0; i < 120; ++i)
      engine.schedule_at(Time::s(600 * i), [&s, &rng, i] {
        ClusterJobSpec j;
        j.name = "job" + std::to_string(i);
        const double u = rng.uniform01();
        j.gpus = u < 0.2 ? 1 : u < 0.6 ? 4 : u < 0.9 ? 8 : 16;
        if (j.gpus == 1 && rng.uniform01() < 0.5) j.gpu_milli = 300;
        j.priority = static_cast<int>(rng.uniform01() * 3);
        j.preemptible = rng.uniform01() < 0.5;
        j.duration = Time::s(static_cast<std::int64_t>(1800 + rng.uniform01() * 14400));
        s.submit(std::move(j));
      });
    // Serving borrows 4 or 8 GPUs in TP groups of 4 every 15 min and returns a loan at random.
    std::map<std::uint64_t, std::vector<GpuIndex>> loans;
    s.on_loan_revoked.connect([&](std::uint64_t id) {
      loans.erase(id);
      ++loans_revoked;
    });
    s.on_failure.connect([&](int, bool, int) { ++failures_seen; });
    s.on_job_preempted.connect([&](const ClusterJobRecord&) { ++preemptions; });
    for (int i = 0; i < 80; ++i)
      engine.schedule_at(Time::s(900 * i + 450), [&] {
        if (!loans.empty() && rng.uniform01() < 0.5) {
          auto it = loans.begin();
          std::advance(it, static_cast<long>(rng.uniform01() * static_cast<double>(loans.size())) %
                               static_cast<long>(loans.size()));
          s.return_gpus(it->first);
          loans.erase(it);
          return;
        }
        const GpuLoan loan = s.borrow_gpus(rng.uniform01() < 0.5 ? 4 : 8, 2, 4);
        if (loan.id == 0) return;
        loans[loan.id] = loan.gpus;
        ++loans_made;
      });
    // Checked every minute, after the instant's events.
    int checks = 0;
    for (int m = 1; m <= 20 * 60; ++m)
      engine.schedule_at(Time::s(60 * m), [&] {
        const GpuLedger& l = inventory.ledger();
        l.check();
        CHECK(l.count(GpuOwner::kDown) == static_cast<std::size_t>(inventory.down_gpus()));
        CHECK(l.count(GpuOwner::kSpare) == static_cast<std::size_t>(inventory.spare_gpus()));
        CHECK(l.count(GpuOwner::kLoan) == static_cast<std::size_t>(s.lent_gpus()));
        CHECK(l.count(GpuOwner::kTraining) + l.count(GpuOwner::kLoan) ==
              static_cast<std::size_t>(inventory.allocated_gpus()));
        for (const auto& [id, gpus] : loans)
          for (const GpuIndex g : gpus) CHECK(l.holder(static_cast<std::size_t>(g)) == GpuHolder{GpuOwner::kLoan, id});
        ++checks;
      }, Priority::kObserve);
    engine.run_until(Time::s(20 * 3600));
    CHECK(checks == 20 * 60);
    injector.stop();
    s.finish();
    inventory.ledger().check();
  }
  // The runs went through what the ledger must survive.
  std::printf("ledger runs: %d node failures, %d preemptions, %d loans (%d revoked)\n", failures_seen, preemptions,
              loans_made, loans_revoked);
  CHECK(failures_seen > 24);
  CHECK(preemptions > 24);
  CHECK(loans_made > 24);
  CHECK(loans_revoked > 0);
}
