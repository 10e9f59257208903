#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "../scenario/scenario_test_files.hpp"
#include "sim/network/fabric.hpp"
#include "sim/scenario/config_error.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/simulation/host_stream.hpp"
#include "sim/simulation/simulation.hpp"
#include "topology/host_link.hpp"

using namespace cs;

namespace {

// One 8-GPU PCIe server (two GPUs per Gen4 x16 switch) alone, no fabric.
TopologySpec pcie_server() {
  ClusterSpec c;
  c.node = node_preset("pcie_8gpu");
  c.nodes = 1;
  c.fabric.kind = FabricKind::kNone;
  TopologySpec t;
  t.layout = c;
  return t;
}

constexpr double kGen4 = 0.8 * 31.5e9;  // a Gen4 x16 link at the PCIe efficiency

// Llama 2 70B in fp16 (140 GB) on 48 GB L40S GPUs, one per replica.
std::string streaming_scenario(const std::string& topology, int replicas, const std::string& replica_keys) {
  return "name: stream\n"
         "seed: 4\n"
         "simulation: {horizon: 5 min, sample_interval: 1 min}\n" +
         topology +
         "workload:\n"
         "  synthetic:\n"
         "    arrivals: {process: poisson, rate: 2/s}\n"
         "    input_tokens: {distribution: fixed, mean: 500}\n"
         "    output_tokens: {distribution: fixed, mean: 50}\n"
         "serving:\n"
         "  model: llama-2-70b\n"
         "  gpu: l40s\n"
         "  dtype: fp16\n"
         "  replica: {" +
         replica_keys +
         "}\n"
         "  pool:\n"
         "    initial_replicas: " +
         std::to_string(replicas) + "\n";
}

const std::string kPcieTopology = "topology: {node: pcie_8gpu, nodes: 1, fabric: {kind: none}}\n";

double summary_number(const RunResult& r, const std::string& key) {
  for (const auto& [k, v] : r.summary_values)
    if (k == key) {
      if (const double* d = std::get_if<double>(&v)) return *d;
      if (const std::int64_t* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
    }
  FAIL("summary key " << key << " missing");
  return 0;
}

RunResult run(const test::TempDir& dir, const std::string& yaml) {
  const Scenario s = load_scenario(dir.write("s.yaml", yaml));
  RunOptions o;
  o.output = dir.path() / "s.h5";
  return run_scenario(s, o);
}

}  // namespace

TEST_CASE("two GPUs streaming under one PCIe switch each get half its uplink, and a weight load through it halves a stream") {
  Engine engine(1);
  Fabric fabric(engine, pcie_server());
  const auto gpus = fabric.topology().gpus();
  HostStream a(fabric.network(), gpus.subspan(0, 1));
  HostStream b(fabric.network(), gpus.subspan(1, 1));
  CHECK(a.alone_bytes_per_s() == Approx(kGen4));
  // The first stream is priced alone; the second sees the first on the switch's uplink.
  CHECK(a.copy_s(1e9) == Approx(1e9 / kGen4));
  CHECK(b.copy_s(1e9) == Approx(2e9 / kGen4));
  engine.run_until(Time::ms(1));
  // Settled: max-min gives each stream half the x16 uplink.
  CHECK(a.copy_s(1e9) == Approx(2e9 / kGen4));
  b.idle();
  engine.run_until(Time::ms(2));
  CHECK(a.copy_s(1e9) == Approx(1e9 / kGen4));
  // A weight load onto the neighbour GPU from host memory crosses the same uplink.
  const HostLink h = host_link(fabric.router(), gpus[1]);
  fabric.network().start(h.memory, gpus[1], 100e9, [] {});
  engine.run_until(Time::ms(3));
  CHECK(a.last_bytes_per_s() == Approx(kGen4));
  CHECK(a.copy_s(1e9) == Approx(2e9 / kGen4));
  a.idle();
}

TEST_CASE("a replica whose weights do not fit is refused at its key unless it streams them") {
  test::TempDir dir;
  const auto file = dir.write("s.yaml", streaming_scenario("", 1, "max_num_seqs: 16"));
  CHECK_THROWS_WITH(load_scenario(file), Catch::Contains("s.yaml:") && Catch::Contains("serving.tp") &&
                                             Catch::Contains("replica.weight_streaming: true"));
  const Scenario s = load_scenario(dir.write("t.yaml", streaming_scenario("", 1, "weight_streaming: true")));
  const ServingPoolSpec& pool = *s.all_serving_pools().front();
  REQUIRE(pool.streaming);
  CHECK(pool.streaming->streamed_layers > 0);
  CHECK(pool.streaming->resident_layers + pool.streaming->streamed_layers == 80);
  // Room for one whole 4,096-token context: 4,096 x 327,680 B of KV per token.
  CHECK(pool.replica.kv_cache_bytes >= 4096 * 327680.0);
}

TEST_CASE("a streaming replica reports its streamed layers, bytes per pass and the host rate its passes got") {
  test::TempDir dir;
  const Scenario s = load_scenario(dir.write("p.yaml", streaming_scenario("", 1, "weight_streaming: true")));
  const StreamingPlan plan = *s.all_serving_pools().front()->streaming;
  // Without a topology: the L40S's own PCIe Gen4 x16 at 80% on every pass.
  const RunResult alone = run(dir, streaming_scenario("", 1, "weight_streaming: true"));
  CHECK(summary_number(alone, "weight_streaming_layers") == plan.streamed_layers);
  CHECK(summary_number(alone, "weight_streaming_host_bytes_per_pass") == plan.streamed_layers * plan.layer_bytes_per_gpu);
  CHECK(summary_number(alone, "weight_streaming_host_rate_mean_bytes_per_s") ==
        Approx(0.8 * 16 * 16e9 * 128 / 130 / 8));
  // On the server, one replica has its switch's uplink to itself.
  const RunResult one = run(dir, streaming_scenario(kPcieTopology, 1, "weight_streaming: true"));
  CHECK(summary_number(one, "weight_streaming_host_rate_mean_bytes_per_s") == Approx(kGen4));
  // Two replicas land on GPUs 0 and 1, under one switch: busy together, each pass gets about
  // half (the first pass of the first replica was priced before the second started).
  const RunResult two = run(dir, streaming_scenario(kPcieTopology, 2, "weight_streaming: true"));
  const double shared = summary_number(two, "weight_streaming_host_rate_mean_bytes_per_s");
  CHECK(shared >= kGen4 / 2 * (1 - 1e-9));
  CHECK(shared < 0.55 * kGen4);
  // The uplink is the bottleneck: a second replica under the same switch adds passes at half
  // the rate each, not output tokens (within the batches' sizes).
  CHECK(summary_number(two, "output_tokens_generated") < 1.25 * summary_number(one, "output_tokens_generated"));
}
