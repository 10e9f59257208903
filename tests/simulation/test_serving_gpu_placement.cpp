#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "../scenario/scenario_test_files.hpp"
#include "sim/network/fabric.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/simulation/replica_placement.hpp"
#include "sim/simulation/serving_cluster.hpp"
#include "sim/simulation/serving_system.hpp"
#include "sim/simulation/simulation.hpp"
#include "sim/simulation/training_system.hpp"
#include "workloads/inference_workload.hpp"

using namespace cs;

TEST_CASE("in co-location every replica is priced on the GPUs lent for it, in one node per TP group, never a job's") {
  LoadOptions options;
  // Ramp 30 min -> 2 h to 10x: the spike evicts the preemptible job and replicas come and go.
  options.overrides = {"simulation.horizon=150 min"};
  const Scenario s =
      load_scenario(std::string(CLUSTERSIM_SOURCE_DIR) + "/configs/scenarios/colocation_spike.yaml", options);
  REQUIRE(s.network);
  REQUIRE(s.training);
  Engine engine(s.seed);
  Fabric network(engine, s.network->topology, s.network->tuning);
  std::vector<std::unique_ptr<RequestSource>> streams;
  for (const InferenceWorkloadSpec* w : s.all_workloads()) streams.push_back(make_request_source(*w, s.seed));
  ServingCluster serving(engine, s.all_serving_pools(), std::move(streams), s.pool_split, &network);
  TrainingSystem training(engine, *s.training, &network);
  ServingSystem& pool = serving.pool(0);

  // What the lender answered for each replica, recorded around the real lender.
  ServingSystem::GpuLender lender = training.lender();
  std::map<std::uint32_t, std::vector<VertexId>> lent;
  auto acquire = lender.acquire;
  lender.acquire = [&lent, acquire](std::uint32_t replica, int gpus, int group) {
    CHECK(group == 4);
    std::vector<VertexId> got = acquire(replica, gpus, group);
    if (!got.empty()) lent[replica] = got;
    return got;
  };
  pool.set_gpu_lender(lender);

  const ClusterInventory& inventory = training.scheduler().inventory();
  std::map<VertexId, GpuIndex> index_of;
  for (GpuIndex g = 0; g < inventory.gpu_count(); ++g) index_of[inventory.vertex_of(g)] = g;
  const Topology& topology = network.topology();

  std::map<std::uint32_t, std::vector<VertexId>> live;  // replica -> GPUs, until it stops
  int placed = 0, overlaps = 0, foreign = 0, split_groups = 0;
  auto check_jobs = [&] {
    std::set<VertexId> serving_gpus;
    for (const auto& [id, gpus] : live) serving_gpus.insert(gpus.begin(), gpus.end());
    for (const RunningTrainingJob& j : training.scheduler().running_training_jobs(nullptr))
      for (const VertexId g : j.gpus) overlaps += serving_gpus.count(g) ? 1 : 0;
  };
  pool.on_replica_placed.connect([&](std::uint32_t id, std::span<const VertexId> gpus) {
    ++placed;
    const std::vector<VertexId> priced(gpus.begin(), gpus.end());
    // Priced on exactly the GPUs the scheduler lent, in the loan's order.
    CHECK(lent.count(id) == 1);
    if (lent.count(id) == 1) CHECK(priced == lent.at(id));
    for (std::size_t k = 0; k < priced.size(); ++k) {
      // Each is taken in the inventory (the loan), and by no other replica.
      if (inventory.milli_free(index_of.at(priced[k])) != 0) ++foreign;
      for (const auto& [other, its] : live)
        if (std::find(its.begin(), its.end(), priced[k]) != its.end()) ++overlaps;
      // The spike's free nodes leave room for every TP group of 4 inside one node.
      if (topology.vertex(priced[k]).node != topology.vertex(priced[k - k % 4]).node) ++split_groups;
    }
    live[id] = priced;
    check_jobs();
  });
  pool.router().on_replica_state.connect([&](const Replica& r, ReplicaState) {
    if (r.state() == ReplicaState::kStopped) live.erase(r.id());
  });
  training.scheduler().on_job_started.connect(
      [&](const ClusterJobRecord&) { engine.schedule_in(Time::ns(1), [&] { check_jobs(); }); });

  const Time horizon = s.simulation.horizon;
  serving.start(horizon);
  training.start(horizon);
  engine.run_until(horizon);
  check_jobs();
  serving.finish();
  training.finish();

  CHECK(placed > 3);  // the three initial replicas and the spike's
  CHECK(training.accounting().totals().preemptions >= 1);
  CHECK(overlaps == 0);
  CHECK(foreign == 0);
  CHECK(split_groups == 0);
}

TEST_CASE("a TP4 pool and a TP2 pool on two DGX H100 nodes never share a GPU, and past 16 GPUs replicas are refused") {
  test::TempDir dir;
  // Pool a (Llama 2 70B, TP4) wants 3 replicas, pool b (Llama 3 8B, TP2) 4; 16 GPUs in all.
  const Scenario s = load_scenario(dir.write(
      "two.yaml",
      "name: two\n"
      "simulation: {horizon: 1 min}\n"
      "workload:\n"
      "  model: llama-2-70b\n"
      "  synthetic: {arrivals: {process: deterministic, rate: 1/s}, max_requests: 1,\n"
      "    input_tokens: {distribution: fixed, mean: 100}, output_tokens: {distribution: fixed, mean: 10}}\n"
      "serving:\n"
      "  - {name: a, model: llama-2-70b, gpu: h100-sxm, tp: 4, share: 50%,\n"
      "     pool: {initial_replicas: 3, autoscaler: {target: {metric: concurrency, value: 8}, max_replicas: 8}}}\n"
      "  - {name: b, model: llama-3-8b, gpu: h100-sxm, tp: 2, share: 50%,\n"
      "     pool: {initial_replicas: 4, autoscaler: {target: {metric: concurrency, value: 8}, max_replicas: 8}}}\n"
      "topology: {node: dgx_h100, nodes: 2, fabric: {kind: single_switch, link: infiniband}}\n"));
  Engine engine(1);
  Fabric network(engine, s.network->topology, s.network->tuning);
  std::vector<std::unique_ptr<RequestSource>> streams;
  ServingCluster serving(engine, s.all_serving_pools(), std::move(streams), s.pool_split, &network);
  serving.start(s.simulation.horizon);

  // By hand: a takes the lowest free TP4 slots, GPUs 0-3, 4-7 (node 0) and 8-11 (node 1);
  // then b's lowest TP2 slots whose GPUs are all free are 12-13 and 14-15. b's third and
  // fourth replicas find no free pair: 2 refused, counted as b's capacity shortfall.
  const auto gpus = network.topology().gpus();
  auto held_by = [&](std::size_t pool) {
    std::vector<VertexId> out;
    for (const auto& r : serving.pool(pool).router().replicas()) {
      const auto g = serving.pool(pool).gpus_of_replica(r->id());
      out.insert(out.end(), g.begin(), g.end());
    }
    return out;
  };
  const std::vector<VertexId> a = held_by(0), b = held_by(1);
  CHECK(a == std::vector<VertexId>(gpus.begin(), gpus.begin() + 12));
  CHECK(b == std::vector<VertexId>(gpus.begin() + 12, gpus.end()));
  CHECK(serving.pool(0).router().replicas().size() == 3);
  CHECK(serving.pool(1).router().replicas().size() == 2);
  CHECK(serving.pool(0).autoscaler()->capacity_shortfall() == 0);
  CHECK(serving.pool(1).autoscaler()->capacity_shortfall() == 2);
  // Each TP group sits in one node: a's third replica on node 1.
  for (std::size_t k = 0; k < a.size(); ++k)
    CHECK(network.topology().vertex(a[k]).node == network.topology().vertex(gpus[k < 8 ? 0 : 8]).node);
  engine.run_until(s.simulation.horizon);
  serving.finish();
}

TEST_CASE("two serving pools borrow from one training cluster: each pool's replica 0 gets its own loan, revoked to it") {
  LoadOptions options;
  const Scenario s =
      load_scenario(std::string(CLUSTERSIM_SOURCE_DIR) + "/configs/scenarios/colocation_spike.yaml", options);
  REQUIRE(s.network);
  REQUIRE(s.training);
  Engine engine(s.seed);
  Fabric fabric(engine, s.network->topology, s.network->tuning);
  TrainingSystem training(engine, *s.training, &fabric);
  ServingSystem::GpuLender first = training.lender(0), second = training.lender(1);
  REQUIRE(first.revoked != second.revoked);
  std::vector<std::uint32_t> revoked_first, revoked_second;
  first.revoked->connect([&](std::uint32_t r) { revoked_first.push_back(r); });
  second.revoked->connect([&](std::uint32_t r) { revoked_second.push_back(r); });
  const GpuLedger& ledger = training.scheduler().inventory().ledger();
  std::vector<VertexId> a, b;
  engine.schedule_at(Time::s(1), [&] {
    a = first.acquire(0, 8, 4);  // replica 0 of either pool: the same id, two loans of a node each
    b = second.acquire(0, 8, 4);
  });
  engine.run_until(Time::s(2));
  REQUIRE(a.size() == 8);
  REQUIRE(b.size() == 8);
  for (const VertexId g : a) CHECK(std::find(b.begin(), b.end(), g) == b.end());
  CHECK(ledger.count(GpuOwner::kServing) == 16);  // each loan handed to its replica
  CHECK(ledger.count(GpuOwner::kLoan) == 0);
  // Under ids that tell the pools' replica 0 apart.
  const ClusterInventory& inventory = training.scheduler().inventory();
  std::map<VertexId, std::size_t> index_of;
  for (GpuIndex g = 0; g < inventory.gpu_count(); ++g) index_of[inventory.vertex_of(g)] = static_cast<std::size_t>(g);
  CHECK(ledger.holder(index_of.at(a.front())) == GpuHolder{GpuOwner::kServing, TrainingSystem::replica_holder_id(0, 0)});
  CHECK(ledger.holder(index_of.at(b.front())) == GpuHolder{GpuOwner::kServing, TrainingSystem::replica_holder_id(1, 0)});
  // The second pool's loan ends with its node; the first pool hears nothing.
  int node = -1;
  for (GpuIndex g = 0; g < inventory.gpu_count(); ++g)
    if (inventory.vertex_of(g) == b.front()) node = inventory.node_of(g);
  REQUIRE(node >= 0);
  engine.schedule_at(Time::s(3), [&] { training.scheduler().node_down(node, true); });
  engine.run_until(Time::s(4));
  CHECK(revoked_second == std::vector<std::uint32_t>{0});
  CHECK(revoked_first.empty());
  CHECK(ledger.count(GpuOwner::kServing) == 8);
  first.release(0);
  CHECK(ledger.count(GpuOwner::kServing) == 0);
  ledger.check();
  training.finish();
}

TEST_CASE("building a scenario without running it finds what a run's build finds, and leaves no file") {
  test::TempDir dir;
  const auto scratch = dir.path() / "build.h5";
  // Co-location on one fabric: builds.
  build_scenario(load_scenario(std::string(CLUSTERSIM_SOURCE_DIR) + "/configs/scenarios/colocation_spike.yaml", {}),
                 scratch);
  CHECK_FALSE(std::filesystem::exists(scratch));
  CHECK(std::filesystem::is_empty(dir.path()));
  // Three TP8 replicas on one 8-GPU node: the loader refuses them at the scenario's key
  // before any model is built, so neither `validate` nor `run` gets that far.
  CHECK_THROWS_WITH(
      load_scenario(std::string(CLUSTERSIM_SOURCE_DIR) + "/tests/data/hostile/unplaceable_replicas.yaml", {}),
      Catch::Contains("serving.pool.initial_replicas: 3 initial replicas of 8 GPUs do not fit"));
  CHECK(std::filesystem::is_empty(dir.path()));
}
