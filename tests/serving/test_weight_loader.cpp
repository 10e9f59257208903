#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "../network/network_test_support.hpp"
#include "sim/serving/weight_loader.hpp"
#include "topology/object_store.hpp"

using namespace cs;
using namespace cs::testing;

namespace {

constexpr double kWeights = 138e9;  // Llama 2 70B in bf16, one replica

// `nodes` DGX H100 servers on one switch, no latency anywhere that matters, with an object
// store of `ports` x `port_bytes_per_s` (reads capped at `read_bytes_per_s` when > 0); the
// fabric's and the store's links take `hop_latency` each.
Topology dgx_cluster(int nodes, int ports, double port_bytes_per_s, double read_bytes_per_s = 0,
                     Time hop_latency = Time{}) {
  ClusterSpec spec;
  spec.node = node_preset("dgx_h100");
  spec.node.pcie_latency = Time{};
  spec.node.nvlink_latency = Time{};
  spec.nodes = nodes;
  spec.fabric.kind = FabricKind::kSingleSwitch;
  spec.fabric.link_latency = hop_latency;
  ObjectStoreSpec store;
  store.ports = ports;
  store.port_bytes_per_s = port_bytes_per_s;
  store.read_bytes_per_s = read_bytes_per_s;
  store.latency = hop_latency;
  spec.object_store = store;
  return build_cluster(spec);
}

std::vector<VertexId> gpus(const Net& net, int node, int first, int count) {
  std::vector<VertexId> out;
  for (int g = first; g < first + count; ++g)
    out.push_back(net.v("n" + std::to_string(node) + ".gpu" + std::to_string(g)));
  return out;
}

struct Done {
  Engine* engine;
  std::vector<double> at_s = std::vector<double>(64, -1);
  std::function<void()> at(std::size_t i) {
    return [this, i] { at_s[i] = engine->now().seconds(); };
  }
};

}  // namespace

TEST_CASE("k replicas loading together from one object store each boot in k x weights / its bandwidth") {
  // Four TP1 replicas on four nodes; the store reads 10 GB/s, far below each node's 50 GB/s
  // NIC and 64 GB/s PCIe: max-min gives each 2.5 GB/s, so all land at 4 x 138 GB / 10 GB/s.
  const int k = 4;
  Net net(dgx_cluster(k, 2, 12.5e9, 10e9));
  WeightLoader loader(net.network);
  Done done{&net.engine};
  std::vector<std::vector<VertexId>> replicas;
  for (int r = 0; r < k; ++r) replicas.push_back(gpus(net, r, 0, 1));
  for (int r = 0; r < k; ++r)
    loader.begin(static_cast<std::uint32_t>(r), "llama", replicas[static_cast<std::size_t>(r)], kWeights,
                 WeightSource::kObjectStore, {}, done.at(static_cast<std::size_t>(r)));
  CHECK(loader.loads_in_flight() == k);
  net.engine.run_until(Time::s(1));
  // One second in: 10 GB of the 552 GB have landed.
  CHECK(loader.bytes_in_flight() == Approx(k * kWeights - 10e9));
  net.engine.run();
  for (int r = 0; r < k; ++r) CHECK(done.at_s[static_cast<std::size_t>(r)] == Approx(k * kWeights / 10e9));
  CHECK(loader.loads_in_flight() == 0);
  CHECK(loader.bytes_in_flight() == 0);
}

TEST_CASE("a single replica whose NIC is the bottleneck boots in weights / NIC bandwidth") {
  // 8 x 100 Gb/s store ports (100 GB/s) feed one TP1 replica; its GPU's NIC is 50 GB/s, its
  // PCIe link 64 GB/s: the NIC sets the pace.
  Net net(dgx_cluster(2, 8, 12.5e9));
  WeightLoader loader(net.network);
  Done done{&net.engine};
  std::optional<WeightLoadRecord> record;
  loader.on_load_done.connect([&](const WeightLoadRecord& r) { record = r; });
  loader.begin(0, "llama", gpus(net, 0, 0, 1), kWeights, WeightSource::kObjectStore, {}, done.at(0));
  net.engine.run();
  CHECK(done.at_s[0] == Approx(kWeights / 50e9));
  REQUIRE(record);
  CHECK(record->used == WeightSource::kObjectStore);
  CHECK(record->bytes == kWeights);
  CHECK(record->duration().seconds() == Approx(kWeights / 50e9));
}

TEST_CASE("a warm NVMe cache boots a TP4 replica in the node's local read time") {
  // The node's eight 7 GB/s drives are one 56 GB/s array on socket 0; its four GPUs' shards
  // (138/4 GB each) share it, each behind a 64 GB/s PCIe or socket link: 138 GB / 56 GB/s.
  Net net(dgx_cluster(2, 2, 12.5e9, 10e9));
  WeightLoader loader(net.network);
  const std::vector<VertexId> replica = gpus(net, 0, 0, 4);
  loader.hold("llama", replica);
  CHECK(loader.holds("llama", 0));
  CHECK_FALSE(loader.holds("llama", 1));
  Done done{&net.engine};
  std::optional<WeightLoadRecord> record;
  loader.on_load_done.connect([&](const WeightLoadRecord& r) { record = r; });
  loader.begin(0, "llama", replica, kWeights / 4, WeightSource::kNvmeCache, {}, done.at(0));
  net.engine.run();
  CHECK(done.at_s[0] == Approx(kWeights / 56e9).margin(1e-4));  // + the drive's 10 us
  REQUIRE(record);
  CHECK(record->used == WeightSource::kNvmeCache);
}

TEST_CASE("a cold NVMe cache reads the object store once, then the node boots from its cache") {
  Net net(dgx_cluster(2, 2, 12.5e9, 10e9));
  WeightLoader loader(net.network);
  Done done{&net.engine};
  std::vector<WeightSource> used;
  loader.on_load_done.connect([&](const WeightLoadRecord& r) { used.push_back(r.used); });
  loader.begin(0, "llama", gpus(net, 1, 0, 1), kWeights, WeightSource::kNvmeCache, {}, done.at(0));
  net.engine.run();
  CHECK(done.at_s[0] == Approx(kWeights / 10e9));
  CHECK(loader.holds("llama", 1));
  CHECK_FALSE(loader.holds("other-model", 1));
  const double second_start = net.engine.now().seconds();
  loader.begin(1, "llama", gpus(net, 1, 4, 1), kWeights, WeightSource::kNvmeCache, {}, done.at(1));
  net.engine.run();
  // One shard alone: the 56 GB/s array, below the 64 GB/s links behind it.
  CHECK(done.at_s[1] - second_start == Approx(kWeights / 56e9).margin(1e-4));
  CHECK(used == std::vector<WeightSource>{WeightSource::kObjectStore, WeightSource::kNvmeCache});
}

TEST_CASE("a peer replica on another node sends each GPU its shard over the fabric") {
  // Replica 0 on node 0 GPUs 0-1 feeds replica 1 on node 1 GPUs 0-1: each shard crosses its
  // own NICs (50 GB/s), not the 10 GB/s store.
  Net net(dgx_cluster(2, 2, 12.5e9, 10e9));
  WeightLoader loader(net.network);
  Done done{&net.engine};
  std::optional<WeightLoadRecord> record;
  loader.on_load_done.connect([&](const WeightLoadRecord& r) { record = r; });
  const std::vector<VertexId> peer = gpus(net, 0, 0, 2);
  loader.begin(1, "llama", gpus(net, 1, 0, 2), kWeights / 2, WeightSource::kPeer, peer, done.at(0));
  net.engine.run();
  CHECK(done.at_s[0] == Approx(kWeights / 2 / 50e9));
  REQUIRE(record);
  CHECK(record->used == WeightSource::kPeer);
}

TEST_CASE("a peer load without a ready peer reads the object store") {
  Net net(dgx_cluster(2, 2, 12.5e9, 10e9));
  WeightLoader loader(net.network);
  Done done{&net.engine};
  loader.begin(0, "llama", gpus(net, 0, 0, 1), kWeights, WeightSource::kPeer, {}, done.at(0));
  net.engine.run();
  CHECK(done.at_s[0] == Approx(kWeights / 10e9));
}

TEST_CASE("a cancelled load never reports and gives its share of the store back") {
  // Two loads share 10 GB/s; at W / 10 GB/s each has W/2 left and one is cancelled: the
  // other finishes its half alone at 10 GB/s, at 1.5 W / 10 GB/s.
  Net net(dgx_cluster(2, 2, 12.5e9, 10e9));
  WeightLoader loader(net.network);
  Done done{&net.engine};
  const auto a = loader.begin(0, "llama", gpus(net, 0, 0, 1), kWeights, WeightSource::kObjectStore, {}, done.at(0));
  loader.begin(1, "llama", gpus(net, 1, 0, 1), kWeights, WeightSource::kObjectStore, {}, done.at(1));
  net.engine.run_until(Time::from_seconds_ceil(kWeights / 10e9));
  loader.cancel(a);
  CHECK(loader.loads_in_flight() == 1);
  net.engine.run();
  CHECK(done.at_s[0] < 0);
  CHECK(done.at_s[1] == Approx(1.5 * kWeights / 10e9));
}

TEST_CASE("cancelling a load whose last byte is on its way leaves alone the load that took its flow's id") {
  // Load A's 10 GB leave the 10 GB/s store by 1 s and land a route latency later. At 1.001 s
  // load B starts; its flow takes the id A's flow freed. Cancelling A then must not stop B,
  // which lands at 1.001 + 1 s + the latency, after 10 GB alone at 10 GB/s.
  Net net(dgx_cluster(2, 2, 12.5e9, 10e9, Time::ms(5)));
  WeightLoader loader(net.network);
  Done done{&net.engine};
  const auto b_gpus = gpus(net, 1, 0, 1);
  const double latency = net.router.route(*find_object_store(net.topo), b_gpus.front()).latency.seconds();
  REQUIRE(latency >= 0.01);  // 5 ms store and fabric hops
  const auto a = loader.begin(0, "llama", gpus(net, 0, 0, 1), 10e9, WeightSource::kObjectStore, {}, done.at(0));
  net.engine.run_until(Time::ms(1001));
  REQUIRE(net.network.active_flows() == 0);
  REQUIRE(loader.loads_in_flight() == 1);
  loader.begin(1, "llama", b_gpus, 10e9, WeightSource::kObjectStore, {}, done.at(1));
  REQUIRE(net.network.active_flows() == 1);
  loader.cancel(a);
  CHECK(net.network.active_flows() == 1);
  CHECK(loader.bytes_in_flight() == Approx(10e9));
  net.engine.run();
  CHECK(done.at_s[0] < 0);
  CHECK(done.at_s[1] == Approx(1.001 + 1 + latency));
}

TEST_CASE("a peer stopping after a shard's last byte left it does not move the load that took its flow's id") {
  // Load A from a peer on node 0 (50 GB/s a shard) sends its 5 GB by 0.1 s, to land 5 ms
  // fabric hops later; load B starts at 0.101 s from the store and takes the freed id. The
  // peer stopping then has nothing left to move: B keeps its flow (10 GB at 10 GB/s) and A
  // lands once.
  Net net(dgx_cluster(3, 2, 12.5e9, 10e9, Time::ms(5)));
  WeightLoader loader(net.network);
  Done done{&net.engine};
  int a_reports = 0;
  const auto a =
      loader.begin(0, "llama", gpus(net, 1, 0, 1), 5e9, WeightSource::kPeer, gpus(net, 0, 0, 1), [&] { ++a_reports; });
  net.engine.run_until(Time::ms(101));
  REQUIRE(net.network.active_flows() == 0);
  REQUIRE(loader.loads_in_flight() == 1);
  const auto b_gpus = gpus(net, 2, 0, 1);
  loader.begin(1, "llama", b_gpus, 10e9, WeightSource::kObjectStore, {}, done.at(1));
  loader.switch_source(a, {});
  CHECK(net.network.active_flows() == 1);
  net.engine.run();
  CHECK(a_reports == 1);
  const double latency = net.router.route(*find_object_store(net.topo), b_gpus.front()).latency.seconds();
  CHECK(done.at_s[1] == Approx(0.101 + 1 + latency));
}

TEST_CASE("weights as flows need an object store on the topology") {
  ClusterSpec spec;
  spec.node = node_preset("dgx_h100");
  spec.nodes = 2;
  spec.fabric.kind = FabricKind::kSingleSwitch;
  Net net(build_cluster(spec));
  CHECK_THROWS_WITH(WeightLoader(net.network), Catch::Contains("object store"));
}

namespace {
// Replica 1 (node 1, GPUs 0-1) loading from its peer on node 0 at 50 GB/s a shard, run to
// 1 s: each 69 GB shard has 19 GB left, when the peer stops.
struct PeerStopsAtOneSecond {
  explicit PeerStopsAtOneSecond(int nodes) : net(dgx_cluster(nodes, 2, 12.5e9, 10e9)), loader(net.network) {
    loader.on_load_done.connect([this](const WeightLoadRecord& r) { record = r; });
    load = loader.begin(1, "llama", gpus(net, 1, 0, 2), kWeights / 2, WeightSource::kPeer, gpus(net, 0, 0, 2),
                        done.at(0));
    net.engine.run_until(Time::s(1));
  }
  Net net;
  WeightLoader loader;
  Done done{&net.engine};
  std::optional<WeightLoadRecord> record;
  WeightLoader::LoadId load = 0;
};
}  // namespace

TEST_CASE("a peer that stops mid-load sends no more, and each shard's remaining bytes come from the object store") {
  // Both shards then read the 10 GB/s store, 5 GB/s each: 3.8 s more, done at 4.8 s (from
  // the peer alone it would have been 1.38 s).
  PeerStopsAtOneSecond p(2);
  p.loader.switch_source(p.load, {});
  CHECK(p.loader.bytes_in_flight() == Approx(2 * 19e9));
  CHECK(p.net.network.active_flows() == 2);  // the peer's flows ended, the store's began
  p.net.engine.run();
  CHECK(p.done.at_s[0] == Approx(1 + 19e9 / 5e9).margin(1e-6));
  REQUIRE(p.record);
  CHECK(p.record->asked == WeightSource::kPeer);
  CHECK(p.record->used == WeightSource::kObjectStore);
  CHECK(p.record->bytes == Approx(kWeights));
}

TEST_CASE("a peer that stops mid-load hands each shard's remaining bytes to another peer") {
  // A replica on node 2 takes over at its own 50 GB/s a shard: the 19 GB left take 0.38 s,
  // done at 1.38 s, every byte from peers.
  PeerStopsAtOneSecond p(3);
  p.loader.switch_source(p.load, gpus(p.net, 2, 0, 2));
  CHECK(p.net.network.active_flows() == 2);
  p.net.engine.run();
  CHECK(p.done.at_s[0] == Approx(1 + 19e9 / 50e9).margin(1e-6));
  REQUIRE(p.record);
  CHECK(p.record->used == WeightSource::kPeer);
  const auto other = p.loader.begin(2, "llama", gpus(p.net, 1, 2, 2), kWeights / 2, WeightSource::kPeer,
                                    gpus(p.net, 0, 0, 2), nullptr);
  CHECK_THROWS_WITH(p.loader.switch_source(other, gpus(p.net, 2, 0, 1)), Catch::Contains("1 GPUs, the loading one 2"));
}
