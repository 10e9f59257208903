// Scenario controls of a serving run: run until drained, runs without an SLO, requests over
// the model's context window.
#include <catch2/catch.hpp>

#include <filesystem>
#include <optional>
#include <string>

#include "../scenario/scenario_test_files.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/simulation/simulation.hpp"

using namespace cs;
namespace fs = std::filesystem;

namespace {

// Llama 2 70B (4096-token context) on two TP4 H100 replicas; 30 requests, one a second.
std::string scenario(const std::string& horizon, const std::string& lengths, const std::string& extra) {
  return "name: s\n"
         "seed: 5\n"
         "simulation: {horizon: " +
         horizon +
         ", sample_interval: 1 min}\n"
         "workload:\n"
         "  synthetic:\n"
         "    arrivals: {process: deterministic, rate: 1/s}\n" +
         lengths +
         "    max_requests: 30\n"
         "serving:\n"
         "  model: llama-2-70b\n"
         "  gpu: h100-sxm\n"
         "  tp: 4\n"
         "  pool:\n"
         "    initial_replicas: 2\n"
         "    price: $2/h\n" +
         extra;
}

const std::string kShort =
    "    input_tokens: {distribution: fixed, mean: 500}\n"
    "    output_tokens: {distribution: fixed, mean: 20}\n";

RunResult run(const test::TempDir& dir, const std::string& yaml) {
  const Scenario s = load_scenario(dir.write("s.yaml", yaml));
  RunOptions o;
  o.output = dir.path() / "s.h5";
  return run_scenario(s, o);
}

std::optional<double> summary(const RunResult& r, const std::string& name) {
  for (const auto& [key, value] : r.summary)
    if (key == name) return std::stod(value);
  return std::nullopt;
}

}  // namespace

TEST_CASE("horizon: drain ends the run when the last request completes and averages over that makespan") {
  test::TempDir dir;
  const RunResult r = run(dir, scenario("drain", kShort, ""));
  CHECK(summary(r, "requests_completed") == 30.0);
  CHECK(summary(r, "requests_unfinished") == 0.0);
  const double makespan = *summary(r, "makespan_s");
  CHECK(*summary(r, "simulated_s") == makespan);
  // The 30th request arrives at 29 s; 500 prompt tokens and 20 decode steps take well under 2 s.
  CHECK(makespan > 29);
  CHECK(makespan < 31);
  // The fixed pool holds 2 replicas × 4 GPUs for exactly the makespan.
  CHECK(*summary(r, "gpu_hours") == Approx(8 * makespan / 3600));
  CHECK(*summary(r, "output_tokens_per_s") == Approx(30 * 20 / makespan));

  // The same run on a 10-minute horizon covers (and pays for) the idle time after it.
  const RunResult fixed = run(dir, scenario("10 min", kShort, ""));
  CHECK_FALSE(summary(fixed, "makespan_s").has_value());
  CHECK(*summary(fixed, "gpu_hours") == Approx(8 * 600.0 / 3600));
  CHECK(*summary(fixed, "ttft_p99_s") == *summary(r, "ttft_p99_s"));
}

TEST_CASE("a run without an SLO reports no attainment or goodput, not 100%") {
  test::TempDir dir;
  const RunResult none = run(dir, scenario("drain", kShort, ""));
  CHECK_FALSE(summary(none, "slo_attainment").has_value());
  CHECK_FALSE(summary(none, "goodput_requests_per_s").has_value());
  const RunResult with = run(dir, scenario("drain", kShort, "  slo: {ttft: 1 ms}\n"));
  // No prefill of 500 tokens takes under 1 ms: nothing meets it.
  CHECK(summary(with, "slo_attainment") == 0.0);
}

TEST_CASE("requests over the context window are refused or clipped as the pool says, and counted") {
  // 4000 + 200 tokens exceed Llama 2's 4096-token window by 104.
  const std::string long_requests =
      "    input_tokens: {distribution: fixed, mean: 4000}\n"
      "    output_tokens: {distribution: fixed, mean: 200}\n";
  test::TempDir dir;
  const RunResult refused = run(dir, scenario("drain", long_requests, ""));
  CHECK(summary(refused, "requests_over_context") == 30.0);
  CHECK(summary(refused, "requests_rejected") == 30.0);
  CHECK(summary(refused, "requests_completed") == 0.0);
  REQUIRE(refused.warnings.size() == 1);
  CHECK_THAT(refused.warnings[0], Catch::Contains("4096-token context window") && Catch::Contains("refused"));

  const RunResult clipped = run(dir, scenario("drain", long_requests, "    context_overflow: clip\n"));
  CHECK(summary(clipped, "requests_over_context") == 30.0);
  CHECK(summary(clipped, "requests_completed") == 30.0);
  // Each keeps its prompt and generates the 96 tokens the window leaves.
  CHECK(summary(clipped, "output_tokens_generated") == 30.0 * 96);
}

TEST_CASE("kv blocks per replica and preempted tokens are in the summary") {
  test::TempDir dir;
  const RunResult r = run(dir, scenario("drain", kShort, ""));
  CHECK(*summary(r, "kv_blocks_per_replica") > 1000);
  CHECK(summary(r, "preempted_tokens_recomputed") == 0.0);
  CHECK(summary(r, "preempted_tokens_swapped") == 0.0);
}

TEST_CASE("horizon: drain is refused for a workload that never ends") {
  test::TempDir dir;
  std::string endless = scenario("drain", kShort, "");
  endless.erase(endless.find("    max_requests: 30\n"), std::string("    max_requests: 30\n").size());
  try {
    load_scenario(dir.write("s.yaml", endless));
    FAIL("an endless workload was accepted with horizon: drain");
  } catch (const ConfigError& e) {
    CHECK_THAT(e.what(), Catch::Contains("simulation.horizon") && Catch::Contains("never ends"));
  }
}
