#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include "../io/h5_read.hpp"
#include "../scenario/scenario_test_files.hpp"
#include "run_to_file.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/simulation/simulation.hpp"

using namespace cs;
namespace fs = std::filesystem;

namespace {

// Llama 2 70B split 70/30 over an H100 TP4 pool (pool 0) and an A100 TP8 pool (pool 1);
// Llama 3 8B on one L40S (pool 2). The streams tell their requests apart by prompt length:
// 100 tokens chat (70B), 300 code (8B), 500 a JSONL trace whose rows name their own model.
const std::string kScenario =
    "name: pools\n"
    "seed: 3\n"
    "simulation: {horizon: 10 min, sample_interval: 1 min}\n"
    "workload:\n"
    "  - name: chat\n"
    "    model: llama-2-70b\n"
    "    synthetic: {arrivals: {process: poisson, rate: 4/s},\n"
    "      input_tokens: {distribution: fixed, mean: 100}, output_tokens: {distribution: fixed, mean: 20}}\n"
    "  - name: code\n"
    "    model: llama-3-8b\n"
    "    synthetic: {arrivals: {process: poisson, rate: 2/s},\n"
    "      input_tokens: {distribution: fixed, mean: 300}, output_tokens: {distribution: fixed, mean: 5}}\n"
    "  - name: tagged\n"
    "    trace: {format: jsonl, path: tagged.jsonl}\n"
    "serving:\n"
    "  - {name: h100, model: llama-2-70b, gpu: h100-sxm, tp: 4, share: 70%,\n"
    "     pool: {initial_replicas: 2, price: $2.50/h}, slo: {ttft: 2 s}}\n"
    "  - {name: a100, model: llama-2-70b, gpu: a100-80gb-sxm, tp: 8, share: 30%,\n"
    "     pool: {initial_replicas: 1, price: $1.60/h}, slo: {ttft: 2 s}}\n"
    "  - {name: small, model: llama-3-8b, gpu: l40s, pool: {initial_replicas: 1, price: $1/h}, slo: {ttft: 1 s}}\n";

// One row for the 8B pool, one naming a model nobody serves, one naming none (with two
// models served, it has no pool either).
const std::string kTagged =
    "{\"timestamp\": 1000, \"input_length\": 500, \"output_length\": 3, \"model\": \"llama-3-8b\"}\n"
    "{\"timestamp\": 2000, \"input_length\": 500, \"output_length\": 3, \"model\": \"gpt-j-6b\"}\n"
    "{\"timestamp\": 3000, \"input_length\": 500, \"output_length\": 3}\n";

}  // namespace

TEST_CASE("a run over several pools gives every request one row in a pool serving its model, and pools add up") {
  test::TempDir dir;
  dir.write("tagged.jsonl", kTagged);
  const test::RunOutput out(test::run_to_file(dir, load_scenario(dir.write("s.yaml", kScenario))));
  const auto id = out.column("/requests/id");
  const auto pool = out.column("/requests/pool");
  const auto input = out.column("/requests/input_tokens");
  const auto status = out.column("/requests/status");
  const auto timeline = test::member_names(out.file(), "/timeline");
  const auto h100_hours = out.column("/timeline/h100.gpu_hours");
  const auto all_hours = out.column("/timeline/gpu_hours");
  const auto number = [&](const std::string& name) { return out.summary(name); };

  // Every request exactly once: ids are 0 .. arrived-1.
  const double arrived = number("requests_arrived");
  REQUIRE(id.size() == arrived);
  REQUIRE(test::one_row_per_request(id));

  // Each row's pool serves the model of its stream.
  int chat_h100 = 0, chat_a100 = 0, unroutable = 0, tagged_small = 0;
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (input[i] == 100) {
      REQUIRE((pool[i] == 0 || pool[i] == 1));
      (pool[i] == 0 ? chat_h100 : chat_a100)++;
    } else if (input[i] == 300) {
      REQUIRE(pool[i] == 2);
    } else {
      REQUIRE(input[i] == 500);
      if (pool[i] == 2) {
        ++tagged_small;
      } else {
        CHECK(pool[i] == -1);
        CHECK(status[i] == 1);  // rejected
        ++unroutable;
      }
    }
  }
  CHECK(tagged_small == 1);
  CHECK(unroutable == 2);
  CHECK(number("requests_unroutable") == 2);
  // Smooth round robin: the H100 pool has within one request of 70% of the chat stream.
  CHECK(std::abs(chat_h100 - 0.7 * (chat_h100 + chat_a100)) < 1.0);
  CHECK(number("h100.requests_arrived") == chat_h100);
  CHECK(number("a100.requests_arrived") == chat_a100);
  CHECK(arrived == number("h100.requests_arrived") + number("a100.requests_arrived") +
                       number("small.requests_arrived") + number("requests_unroutable"));
  CHECK(number("requests_rejected") == 2);

  // Per-pool timelines beside the overall ones.
  for (const char* name : {"h100.replicas_ready", "a100.replicas_provisioning", "small.gpu_utilization",
                           "small.kv_cache_use", "a100.cost_usd", "replicas_ready", "cost_usd"})
    CHECK(std::find(timeline.begin(), timeline.end(), name) != timeline.end());

  // Fixed pools held for 10 min: 8, 8 and 1 GPUs, i.e. 8/6, 8/6 and 1/6 GPU-hours.
  CHECK(number("h100.gpu_hours") == Approx(8.0 / 6));
  CHECK(number("a100.gpu_hours") == Approx(8.0 / 6));
  CHECK(number("small.gpu_hours") == Approx(1.0 / 6));
  CHECK(number("gpu_hours") == Approx(number("h100.gpu_hours") + number("a100.gpu_hours") + number("small.gpu_hours")));
  CHECK(all_hours.back() == Approx(17.0 / 6));
  CHECK(h100_hours.back() == Approx(8.0 / 6));
  // Each pool at its own price: 8/6 · 2.50 + 8/6 · 1.60 + 1/6 · 1.00 = 5.6333 USD.
  CHECK(number("cost_usd") == Approx(8.0 / 6 * 2.5 + 8.0 / 6 * 1.6 + 1.0 / 6));
  CHECK(number("gpus_peak") == 17);
  CHECK(number("replicas_ready_peak") == 4);
  // The overall SLO figure counts the pools' SLOs, which differ (2 s vs 1 s): no single value.
  CHECK(std::isnan(number("slo_ttft_s")));
  CHECK(number("requests_met_slo") ==
        number("h100.requests_met_slo") + number("a100.requests_met_slo") + number("small.requests_met_slo"));
}

TEST_CASE("a random split of pools is deterministic for a seed and differs from the round robin") {
  test::TempDir dir;
  dir.write("tagged.jsonl", kTagged);
  const auto summary_of = [&](const std::string& extra) {
    const Scenario s = load_scenario(dir.write("s.yaml", kScenario + extra));
    RunOptions o;
    o.output = dir.path() / "s.h5";
    return run_scenario(s, o).summary;
  };
  const auto random = summary_of("pool_split: random\n");
  CHECK(random == summary_of("pool_split: random\n"));
  CHECK(random != summary_of(""));
}

TEST_CASE("a single pool counts a trace request naming a model it does not serve as rejected, with a row") {
  test::TempDir dir;
  dir.write("t.jsonl",
            "{\"timestamp\": 1000, \"input_length\": 50, \"output_length\": 2, \"model\": \"llama-2-70b\"}\n"
            "{\"timestamp\": 2000, \"input_length\": 50, \"output_length\": 2, \"model\": \"gpt-j-6b\"}\n");
  const Scenario s = load_scenario(dir.write("s.yaml",
                                             "name: one\n"
                                             "simulation: {horizon: 1 min}\n"
                                             "workload: {trace: {format: jsonl, path: t.jsonl}}\n"
                                             "serving: {model: llama-2-70b, gpu: h100-sxm, tp: 4, pool: {}}\n"));
  RunOptions o;
  o.output = dir.path() / "s.h5";
  const RunResult r = run_scenario(s, o);
  const auto value = [&](const std::string& name) {
    for (const auto& [k, v] : r.summary)
      if (k == name) return std::stod(v);
    FAIL("no summary " + name);
    return 0.0;
  };
  CHECK(value("requests_arrived") == 2);
  CHECK(value("requests_completed") == 1);
  CHECK(value("requests_rejected") == 1);
  CHECK(value("requests_unroutable") == 1);
  const hid_t f = H5Fopen(o.output.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const auto pool = test::read_column(f, "/requests/pool");
  H5Fclose(f);
  REQUIRE(pool.size() == 2);
  CHECK(std::count(pool.begin(), pool.end(), -1.0) == 1);
  CHECK(std::count(pool.begin(), pool.end(), 0.0) == 1);
}
