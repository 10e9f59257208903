#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sim/network/fabric.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/simulation/serving_cluster.hpp"
#include "sim/simulation/serving_system.hpp"
#include "sim/simulation/training_system.hpp"
#include "workloads/inference_workload.hpp"

using namespace cs;

namespace {

std::array<std::size_t, kGpuOwnerCount> counts(const GpuLedger& ledger) {
  std::array<std::size_t, kGpuOwnerCount> c{};
  for (std::size_t o = 0; o < kGpuOwnerCount; ++o) c[o] = ledger.count(static_cast<GpuOwner>(o));
  return c;
}

}  // namespace

TEST_CASE("one GPU ledger holds every GPU of a co-located run as the scheduler, loan book and pool each believe, "
          "under failures, loans and preemptions, over 20 seeds") {
  const Scenario s =
      load_scenario(std::string(CLUSTERSIM_SOURCE_DIR) + "/tests/data/colocation_ledger.yaml", LoadOptions{});
  REQUIRE(s.network);
  REQUIRE(s.training);
  std::uint64_t node_failures = 0, preemptions = 0, revoked_loans = 0, replicas = 0, cross_checks = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    INFO("seed " << seed);
    Engine engine(seed);
    Fabric fabric(engine, s.network->topology, s.network->tuning);
    std::vector<std::unique_ptr<RequestSource>> streams;
    for (const InferenceWorkloadSpec* w : s.all_workloads()) streams.push_back(make_request_source(*w, seed));
    ServingCluster serving(engine, s.all_serving_pools(), std::move(streams), s.pool_split, &fabric);
    TrainingSystem training(engine, *s.training, &fabric);
    serving.borrow_from(training);
    // One ledger object for the run: the pools' is the training cluster's.
    const GpuLedger& ledger = training.ledger();
    REQUIRE(serving.ledger() == &ledger);
    const ClusterScheduler& scheduler = training.scheduler();
    const ClusterInventory& inventory = scheduler.inventory();
    const ServingSystem& pool = serving.pool(0);
    std::vector<std::size_t> index_of(fabric.topology().vertex_count(), 0);
    for (GpuIndex g = 0; g < inventory.gpu_count(); ++g)
      index_of[inventory.vertex_of(g)] = static_cast<std::size_t>(g);
    // Replicas whose loan a node failure ended: they drain on GPUs that are no longer theirs.
    std::set<std::uint32_t> revoked;
    training.lender(0).revoked->connect([&](std::uint32_t replica) { revoked.insert(replica); });

    // What each side believes it holds, against the ledger's counts and records; the first
    // disagreement is kept for the report.
    std::string disagreement;
    auto cross_check = [&] {
      ++cross_checks;
      std::ostringstream why;
      std::size_t job_gpus = 0;
      for (std::uint64_t id = 1; id <= scheduler.job_count(); ++id) {
        const ClusterJobRecord r = scheduler.record(id);
        if (r.status == ClusterJobStatus::kRunning) job_gpus += static_cast<std::size_t>(r.gpus);
      }
      std::size_t replica_gpus = 0;
      for (const auto& r : pool.router().replicas()) {
        if (r->state() == ReplicaState::kStopped || revoked.count(r->id())) continue;
        const GpuHolder mine{GpuOwner::kServing, TrainingSystem::replica_holder_id(0, r->id())};
        for (const VertexId v : pool.gpus_of_replica(r->id())) {
          ++replica_gpus;
          if (ledger.holder(index_of[v]) != mine) why << "replica " << r->id() << " GPU " << v << " not its own; ";
        }
      }
      if (ledger.count(GpuOwner::kTraining) != job_gpus)
        why << "training " << ledger.count(GpuOwner::kTraining) << " vs running jobs' " << job_gpus << "; ";
      if (ledger.count(GpuOwner::kServing) + ledger.count(GpuOwner::kLoan) !=
          static_cast<std::size_t>(scheduler.lent_gpus()))
        why << "serving + loan vs lent " << scheduler.lent_gpus() << "; ";
      // Every loan is handed to its replica in the event that made it.
      if (ledger.count(GpuOwner::kLoan) != 0) why << ledger.count(GpuOwner::kLoan) << " GPUs on loan to nobody; ";
      if (ledger.count(GpuOwner::kServing) != replica_gpus)
        why << "serving " << ledger.count(GpuOwner::kServing) << " vs the pool's replicas' " << replica_gpus << "; ";
      if (ledger.count(GpuOwner::kDown) != static_cast<std::size_t>(inventory.down_gpus())) why << "down; ";
      if (ledger.count(GpuOwner::kSpare) != static_cast<std::size_t>(inventory.spare_gpus())) why << "spare; ";
      if (disagreement.empty() && !why.str().empty())
        disagreement = "at " + std::to_string(engine.now().seconds()) + " s: " + why.str();
    };

    const Time horizon = s.simulation.horizon;
    serving.start(horizon);
    training.start(horizon);
    // One event at a time: the ledger's own invariant after every event, and the cross-check
    // after every event that moved a GPU between owners (and every 256th).
    std::array<std::size_t, kGpuOwnerCount> before = counts(ledger);
    std::uint64_t events = 0;
    while (!engine.run_until(horizon, 1)) {
      ledger.check();
      const auto now = counts(ledger);
      if (now != before || ++events % 256 == 0) cross_check();
      before = now;
    }
    cross_check();
    serving.finish();
    training.finish();
    ledger.check();
    CHECK(disagreement == std::string());
    const ClusterTotals t = training.accounting().totals();
    node_failures += t.node_failures;
    preemptions += t.preemptions;
    revoked_loans += t.loans_revoked;
    replicas += pool.router().replicas().size();
  }
  // The runs exercised every path: failures, evictions (by jobs and by serving), revoked loans
  // (at about half what the 20 seeds give: 136 node failures, 170 preemptions, 54 revoked
  // loans, 461 replicas, 8,244 cross-checks).
  CHECK(node_failures >= 60);
  CHECK(preemptions >= 80);
  CHECK(revoked_loans >= 25);
  CHECK(replicas >= 200);
  CHECK(cross_checks >= 4000);
}
