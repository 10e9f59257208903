// A booting replica loading its weights from a peer (weights_from: peer) whose source stops
// mid-load: the load carries on from the object store for the bytes each shard has left.
#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../scenario/scenario_test_files.hpp"
#include "sim/network/fabric.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/serving/weight_loader.hpp"
#include "sim/simulation/serving_cluster.hpp"
#include "sim/simulation/serving_system.hpp"

using namespace cs;

namespace {
// A GPU's shard crosses its node's 400 Gb/s NDR NIC at 50 GB/s x 0.94 (InfiniBand's
// efficiency) = 47 GB/s, below its PCIe (63 GB/s x 0.80); the object store's link reads
// 8 GB/s x 0.94 = 7.52 GB/s, shared by a TP8 replica's eight shards: 0.94 GB/s each.
constexpr double kPeerBytesPerS = 50e9 * 0.94;
constexpr double kStoreShardBytesPerS = 8e9 * 0.94 / 8;
}  // namespace

TEST_CASE("a peer stopped while it sends a booting replica its weights: the rest comes from the object store") {
  // Llama 3 8B TP8: replicas 0 and 1 fill nodes 0 and 1, ready at the start. Replica 1 is
  // scaled down at 1 s; the autoscaler's minimum of two orders replica 2 in its place on
  // node 1, which loads from replica 0 over the fabric. 20 ms into that load replica 0 is
  // scaled down too (it holds no request, so it stops at once).
  test::TempDir dir;
  const Scenario s = load_scenario(dir.write(
      "peer.yaml",
      "name: peer\n"
      "simulation: {horizon: 5 min}\n"
      "workload:\n"
      "  model: llama-3-8b\n"
      "  synthetic: {arrivals: {process: deterministic, rate: 1/s}, max_requests: 1,\n"
      "    input_tokens: {distribution: fixed, mean: 100}, output_tokens: {distribution: fixed, mean: 10}}\n"
      "serving:\n"
      "  model: llama-3-8b\n"
      "  gpu: h100-sxm\n"
      "  tp: 8\n"
      "  pool:\n"
      "    initial_replicas: 2\n"
      "    autoscaler: {target: {metric: concurrency, value: 8}, min_replicas: 2, max_replicas: 2, period: 60 s,\n"
      "                 provisioning: 10 s, weights_from: peer}\n"
      "topology:\n"
      "  node: dgx_h100\n"
      "  nodes: 2\n"
      "  fabric: {kind: single_switch, link: infiniband, bandwidth: 400 Gbps}\n"
      "  storage: {object_store: {read_bandwidth: 8 GB/s}}\n"));
  Engine engine(1);
  Fabric fabric(engine, s.network->topology, s.network->tuning);
  ServingCluster cluster(engine, s.all_serving_pools(), {}, s.pool_split, &fabric);
  ServingSystem& pool = cluster.pool(0);
  REQUIRE(cluster.weight_loader());
  std::optional<WeightLoadRecord> record;
  cluster.weight_loader()->on_load_done.connect([&](const WeightLoadRecord& r) {
    if (r.replica == 2) record = r;  // not the replacement the autoscaler orders later
  });
  std::optional<Time> stop, ready;
  pool.router().on_replica_state.connect([&](const Replica& r, ReplicaState) {
    if (r.id() != 2) return;
    if (r.state() == ReplicaState::kLoadingWeights) {
      stop = engine.now() + Time::ms(20);
      engine.schedule_at(*stop, [&pool] { pool.router().replicas().at(0)->drain(); });
    } else if (r.state() == ReplicaState::kReady) {
      ready = engine.now();
    }
  });
  cluster.start(s.simulation.horizon);
  engine.schedule_at(Time::s(1), [&pool] { pool.router().replicas().at(1)->drain(); });
  engine.run_until(Time::s(200));

  REQUIRE(stop);
  REQUIRE(record);
  REQUIRE(ready);
  CHECK(pool.router().replicas().at(0)->state() == ReplicaState::kStopped);
  CHECK(record->asked == WeightSource::kPeer);
  CHECK(record->used == WeightSource::kObjectStore);
  CHECK(*ready == record->end);
  // Each GPU's ~2 GB shard: 20 ms of it at 47 GB/s from the peer, the rest from the store.
  const double shard = record->bytes / 8;
  const double left = shard - kPeerBytesPerS * 0.020;
  CHECK((record->start + Time::ms(20)) == *stop);
  CHECK((record->end - *stop).seconds() == Approx(left / kStoreShardBytesPerS).margin(1e-4));
  // From the peer alone it would have been ready ~43 ms after the load began.
  CHECK((record->end - record->start).seconds() > 10 * shard / kPeerBytesPerS);
  cluster.finish();
}
