#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "../io/h5_read.hpp"
#include "../scenario/scenario_test_files.hpp"
#include "run_to_file.hpp"
#include "sim/network/fabric.hpp"
#include "sim/scenario/config_error.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/serving/llm_iteration_cost.hpp"
#include "sim/simulation/kv_handoff.hpp"
#include "sim/simulation/serving_cluster.hpp"
#include "sim/simulation/simulation.hpp"
#include "workloads/inference_workload.hpp"

using namespace cs;

namespace {

// Two DGX H100 nodes on 400 Gb/s InfiniBand rails. Llama 3 8B on single GPUs: the decode pool
// (listed first, so placed first) fills node 0's eight GPUs and node 1's GPU 0; the prefill
// replica sits on node 1's GPU 1. One 1,000-token prompt with 10 output tokens at 1 s.
std::string scenario(const std::string& transfer, const std::string& routing) {
  return "name: kv\n"
         "seed: 1\n"
         "simulation: {horizon: 30 s, sample_interval: 1 s}\n"
         "topology: {node: dgx_h100, nodes: 2, fabric: {kind: rail_optimized, link: infiniband, bandwidth: 400 Gbps}}\n"
         "workload: {model: llama-3-8b, trace: {format: jsonl, path: one.jsonl}}\n"
         "serving:\n"
         "  - {name: decode, model: llama-3-8b, gpu: h100-sxm, pool: {initial_replicas: 9, price: $2/h}}\n"
         "  - {name: prefill, model: llama-3-8b, gpu: h100-sxm, pool: {initial_replicas: 1, price: $2/h}}\n"
         "disaggregation: {prefill: prefill, decode: decode, kv_transfer: " +
         transfer + ", decode_routing: " + routing + "}\n";
}
const std::string kOneRequest = "{\"timestamp\": 1000, \"input_length\": 1000, \"output_length\": 10}\n";

// Llama 3 8B's KV: 2 (K and V) x 32 layers x 8 KV heads x 128 head dim x 2 bytes (bf16).
constexpr double kKvBytesPerToken = 2.0 * 32 * 8 * 128 * 2;
// Node 1's GPU 1 to node 0's GPU 0 crosses PCIe (63 GB/s x 0.80 = 50.4 GB/s) and the NDR NICs
// and rail switch (50 GB/s x 0.94 = 47 GB/s): InfiniBand is the bottleneck.
constexpr double kBottleneckBytesPerS = 50e9 * 0.94;

struct Run {
  std::vector<KvTransferRecord> transfers;
  std::vector<RequestOutcome> done;  // the decode pool's outcomes
  std::int64_t blocks_at_admission = -1;
  Time path_latency;
};

Run run_one(const std::string& transfer, const std::string& routing) {
  test::TempDir dir;
  dir.write("one.jsonl", kOneRequest);
  const Scenario s = load_scenario(dir.write("s.yaml", scenario(transfer, routing)));
  Engine engine(s.seed);
  Fabric fabric(engine, s.network->topology);
  std::vector<std::unique_ptr<RequestSource>> streams;
  streams.push_back(make_request_source(s.workload_streams.at(0), s.seed));
  ServingCluster cluster(engine, s.all_serving_pools(), std::move(streams), s.pool_split, &fabric,
                         &*s.disaggregation);
  ServingSystem& decode = cluster.pool(0);
  ServingSystem& prefill = cluster.pool(1);
  Run run;
  cluster.handoff()->on_transfer_done.connect([&](const KvTransferRecord& r) {
    run.transfers.push_back(r);
    const VertexId from = prefill.gpus_of_replica(r.prefill_replica)[0];
    const VertexId to = decode.gpus_of_replica(r.decode_replica)[0];
    run.path_latency = fabric.router().route(from, to, static_cast<std::uint32_t>(r.request % 16)).latency;
    // After the replica's own events of this instant: it has admitted the request by then.
    const Replica* replica = decode.router().replicas().at(r.decode_replica).get();
    engine.schedule_at(engine.now(), [&run, replica] { run.blocks_at_admission = replica->kv_blocks_used(); },
                       Priority::kObserve);
  });
  decode.router().on_request_done.connect([&](const RequestOutcome& o) { run.done.push_back(o); });
  cluster.start(s.simulation.horizon);
  engine.run_until(s.simulation.horizon);
  cluster.finish();
  return run;
}

}  // namespace

TEST_CASE("a prompt's KV sent after the prefill takes its KV bytes over the path's bottleneck") {
  const Run r = run_one("after_prefill", "least_kv_load");
  REQUIRE(r.transfers.size() == 1);
  const KvTransferRecord& t = r.transfers[0];
  CHECK(t.bytes == Approx(1000 * kKvBytesPerToken));  // 131 MB
  CHECK(t.sent_after == Approx(t.bytes));
  CHECK(t.decode_replica == 0);  // all decode replicas empty: the first, on the other node
  const double expected = t.bytes / kBottleneckBytesPerS + r.path_latency.seconds();  // ~2.79 ms
  CHECK(t.exposed().seconds() == Approx(expected).epsilon(1e-6));
}

TEST_CASE("a prompt's KV sent layer by layer exposes only the last layer's share after the prefill") {
  // The prefill of 1,000 tokens takes milliseconds a layer; a layer's 4.1 MB crosses 47 GB/s
  // in 87 us, so the link keeps pace and only layer 32's share is left.
  const Run r = run_one("layerwise", "least_kv_load");
  REQUIRE(r.transfers.size() == 1);
  const KvTransferRecord& t = r.transfers[0];
  CHECK(t.sent_after == Approx(t.bytes / 32));
  const double expected = t.bytes / 32 / kBottleneckBytesPerS + r.path_latency.seconds();
  CHECK(t.exposed().seconds() == Approx(expected).epsilon(1e-6));
}

TEST_CASE("the request's TTFT ends when its KV reaches the decode replica, and the decode replica finishes it") {
  const Run r = run_one("after_prefill", "least_kv_load");
  REQUIRE(r.transfers.size() == 1);
  REQUIRE(r.done.size() == 1);
  const RequestOutcome& o = r.done[0];
  CHECK(o.status == RequestStatus::kCompleted);
  CHECK(o.replica == r.transfers[0].decode_replica);
  CHECK(o.first_token == r.transfers[0].delivered);
  CHECK(o.first_scheduled < r.transfers[0].prefill_end);  // the prefill's own start
  CHECK(o.generated_tokens == 10);
  CHECK(o.finish > o.first_token);
}

TEST_CASE("a decode replica takes the KV blocks of the prompt it receives and of the token it feeds back") {
  const Run r = run_one("layerwise", "least_kv_load");
  // ceil((1,000 prompt tokens + 1) / 16 tokens a block).
  CHECK(r.blocks_at_admission == 63);
}

TEST_CASE("locality routing sends the KV to a decode replica on the prefill replica's own node") {
  const Run near = run_one("after_prefill", "locality");
  const Run load = run_one("after_prefill", "least_kv_load");
  REQUIRE(near.transfers.size() == 1);
  REQUIRE(load.transfers.size() == 1);
  CHECK(near.transfers[0].decode_replica == 8);  // node 1's GPU 0, beside the prefill on GPU 1
  CHECK(load.transfers[0].decode_replica == 0);  // node 0
  // NVLink inside the node beats the InfiniBand path.
  CHECK(near.transfers[0].exposed() < load.transfers[0].exposed());
}

TEST_CASE("the decode pool's queue wait runs from the KV's arrival, the overall one from arrival to the prefill") {
  // Two 1,000-token prompts at 1 s on one prefill replica that batches 1,000 tokens an
  // iteration: the second waits one prefill, P. Each KV then reaches an idle decode replica
  // (nine of them), which starts on it at once: both decode-phase waits are 0, while the
  // requests' own waits (arrival to their prefill's first iteration) are 0 and P.
  test::TempDir dir;
  dir.write("two.jsonl",
            "{\"timestamp\": 1000, \"input_length\": 1000, \"output_length\": 10}\n"
            "{\"timestamp\": 1000, \"input_length\": 1000, \"output_length\": 10}\n");
  const Scenario s = load_scenario(dir.write(
      "s.yaml",
      "name: waits\n"
      "simulation: {horizon: 30 s, sample_interval: 1 s}\n"
      "topology: {node: dgx_h100, nodes: 2, fabric: {kind: rail_optimized, link: infiniband, bandwidth: 400 Gbps}}\n"
      "workload: {model: llama-3-8b, trace: {format: jsonl, path: two.jsonl}}\n"
      "serving:\n"
      "  - {name: decode, model: llama-3-8b, gpu: h100-sxm, pool: {initial_replicas: 9, price: $2/h}}\n"
      "  - {name: prefill, model: llama-3-8b, gpu: h100-sxm, replica: {max_batched_tokens: 1000},\n"
      "     pool: {initial_replicas: 1, price: $2/h}}\n"
      "disaggregation: {prefill: prefill, decode: decode}\n"));
  const auto file = test::run_to_file(dir, s);

  const ServingPoolSpec& p = s.serving_pools.at(1);
  const LlmIterationCost cost(p.model, p.gpu, p.precision, p.plan, CommunicationCost{}, p.engine);
  const PrefillChunk prompt{1000, 0};
  const double prefill = cost.iteration_time(BatchShape{{&prompt, 1}, 0, 0}).seconds();
  const test::RunOutput out(file);
  REQUIRE(out.summary("decode.requests_completed") == 2);
  CHECK(out.summary("decode.queue_wait_mean_s") == 0);
  CHECK(out.summary("decode.queue_wait_p99_s") == 0);
  CHECK(out.summary("prefill.queue_wait_mean_s") == Approx(prefill / 2).epsilon(1e-9));
  CHECK(out.summary("queue_wait_mean_s") == Approx(prefill / 2).epsilon(1e-9));
  // Each /requests row keeps the request's first iteration: its prefill's.
  std::vector<double> waits;
  const auto arrival = out.column("/requests/arrival_s");
  const auto start = out.column("/requests/start_s");
  for (std::size_t i = 0; i < start.size(); ++i) waits.push_back(start[i] - arrival[i]);
  std::sort(waits.begin(), waits.end());
  REQUIRE(waits.size() == 2);
  CHECK(waits[0] == 0);
  CHECK(waits[1] == Approx(prefill).epsilon(1e-9));
}

TEST_CASE("disaggregation conserves requests: each prefilled request is decoded once, counts match") {
  test::TempDir dir;
  const std::string text =
      "name: conserve\n"
      "seed: 5\n"
      "simulation: {horizon: 2 min, sample_interval: 10 s}\n"
      "topology: {node: dgx_h100, nodes: 2, fabric: {kind: rail_optimized, link: infiniband, bandwidth: 400 Gbps}}\n"
      "workload:\n"
      "  model: llama-3-8b\n"
      "  synthetic: {arrivals: {process: poisson, rate: 40/s},\n"
      "    input_tokens: {distribution: fixed, mean: 500}, output_tokens: {distribution: uniform, min: 1, max: 400}}\n"
      "serving:\n"
      "  - {name: prefill, model: llama-3-8b, gpu: h100-sxm, pool: {initial_replicas: 2, price: $2/h}}\n"
      "  - {name: decode, model: llama-3-8b, gpu: h100-sxm, pool: {initial_replicas: 2, price: $2/h}}\n"
      "disaggregation: {prefill: prefill, decode: decode}\n";
  const test::RunOutput out(test::run_to_file(dir, load_scenario(dir.write("s.yaml", text))));
  const auto id = out.column("/requests/id");
  const auto pool = out.column("/requests/pool");
  const auto status = out.column("/requests/status");
  const auto generated = out.column("/requests/generated_tokens");
  const auto output = out.column("/requests/output_tokens");
  const auto number = [&](const std::string& name) { return out.summary(name); };

  const double arrived = number("requests_arrived");
  CHECK(arrived > 4000);
  CHECK(arrived == number("requests_completed") + number("requests_rejected") + number("requests_dropped") +
                       number("requests_unfinished"));
  CHECK(arrived == number("prefill.requests_arrived"));
  // Every hand-off reaches the decode pool once and ends there once.
  CHECK(number("decode.requests_arrived") == number("prefill.requests_completed"));
  CHECK(number("prefill.requests_completed") == number("decode.requests_completed") +
                                                    number("decode.requests_rejected") +
                                                    number("decode.requests_dropped") +
                                                    number("decode.requests_unfinished"));
  CHECK(number("requests_completed") == number("decode.requests_completed"));
  CHECK(number("requests_unfinished") > 0);  // the run stops with work in both pools
  // One KV transfer per decoded request with more than one token: 500 tokens of KV each.
  const double transfers = number("kv_transfers");
  CHECK(transfers > 0);
  CHECK(number("kv_transfer_bytes") == Approx(transfers * 500 * kKvBytesPerToken));
  CHECK(number("kv_transfer_p99_s") >= number("kv_transfer_mean_s"));

  // One /requests row per request: the prefill pool's rows are only those that ended there.
  REQUIRE(id.size() == arrived);
  REQUIRE(test::one_row_per_request(id));
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (status[i] == 0) {
      CHECK(pool[i] == 1);  // completed on the decode pool
      CHECK(generated[i] == output[i]);
    }
    if (pool[i] == 0) CHECK(status[i] != 0);
  }
}

namespace {
// The message load_scenario refuses `text` with.
std::string refusal(const std::string& text) {
  test::TempDir dir;
  try {
    load_scenario(dir.write("s.yaml", text));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(loaded)";
}
}  // namespace

TEST_CASE("a disaggregation without a topology is refused at its key with the file's line") {
  const std::string text =
      "name: bad\n"
      "simulation: {horizon: 1 min}\n"
      "workload: {model: llama-3-8b, synthetic: {arrivals: {process: poisson, rate: 1/s},\n"
      "  input_tokens: {distribution: fixed, mean: 100}, output_tokens: {distribution: fixed, mean: 10}}}\n"
      "serving:\n"
      "  - {name: p, model: llama-3-8b, gpu: h100-sxm, pool: {initial_replicas: 1}}\n"
      "  - {name: d, model: llama-3-8b, gpu: h100-sxm, pool: {initial_replicas: 1}}\n"
      "disaggregation: {prefill: p, decode: d}\n";
  const std::string message = refusal(text);
  CHECK_THAT(message, Catch::Contains("s.yaml:8:") && Catch::Contains("disaggregation") && Catch::Contains("topology"));
}

TEST_CASE("a decode pool whose TP does not hold whole KV heads cannot receive the KV and is refused") {
  // Llama 3 8B has 8 KV heads; 32 query heads allow tp 16 for the model, but 16 ranks cannot
  // each hold whole KV heads.
  const std::string text =
      "name: bad\n"
      "simulation: {horizon: 1 min}\n"
      "topology: {node: dgx_h100, nodes: 4, fabric: {kind: rail_optimized, link: infiniband, bandwidth: 400 Gbps}}\n"
      "workload: {model: llama-3-8b, synthetic: {arrivals: {process: poisson, rate: 1/s},\n"
      "  input_tokens: {distribution: fixed, mean: 100}, output_tokens: {distribution: fixed, mean: 10}}}\n"
      "serving:\n"
      "  - {name: p, model: llama-3-8b, gpu: h100-sxm, pool: {initial_replicas: 1}}\n"
      "  - {name: d, model: llama-3-8b, gpu: h100-sxm, tp: 16, pool: {initial_replicas: 1}}\n"
      "disaggregation: {prefill: p, decode: d}\n";
  CHECK_THAT(refusal(text),
             Catch::Contains("s.yaml:9:") && Catch::Contains("disaggregation.decode") && Catch::Contains("whole heads"));
}
