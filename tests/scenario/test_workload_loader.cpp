#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "scenario_test_files.hpp"
#include "sim/scenario/config_error.hpp"
#include "sim/scenario/workload_loader.hpp"

using namespace cs;
using namespace cs::time_literals;
using cs::test::TempDir;

namespace {
// Loads `yaml` from a file in `dir` and reads its `workload:` map.
InferenceWorkloadSpec load(const TempDir& dir, const std::string& yaml) {
  const ConfigNode root = load_config_file(dir.write("w.yaml", yaml));
  MapReader r(root, "");
  auto w = read_inference_workload(r.map("workload"));
  r.finish();
  return w;
}
// A two-row trace in the Azure format, which the loader opens to check its header.
constexpr const char* kAzureRows =
    "TIMESTAMP,ContextTokens,GeneratedTokens\r\n2023-11-16 18:00:00.0,10,1\r\n2023-11-16 18:00:01.0,20,2";
std::string error_of(const std::string& yaml) {
  TempDir dir;
  dir.write("x.csv", kAzureRows);
  try {
    load(dir, yaml);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("a trace workload reads its file relative to the scenario, loops and takes a demand preset") {
  TempDir dir;
  dir.write("t.csv", kAzureRows);
  const auto w = load(dir,
                      "workload:\n"
                      "  model: llama-70b\n"
                      "  trace: {format: azure, path: t.csv, loop: 3, start: 1 min}\n"
                      "  demand: {preset: launch_day, peak: 20x, ramp: 2 h, jitter: 0 s, copy_prefix_ids: per_copy}\n");
  REQUIRE(w.trace);
  CHECK(w.trace->path == (dir.path() / "t.csv").string());
  CHECK(w.trace->passes == 3);
  CHECK(w.trace->read.offset == 1_min);
  CHECK(w.trace->read.model == "llama-70b");
  REQUIRE(w.demand);
  CHECK(w.demand->demand.at(3_h) == 20.0);  // 1 h start + 2 h ramp
  CHECK(w.demand->jitter == Time());
  CHECK(w.demand->copy_prefix_ids == CopyPrefixIds::kPerCopySpace);
  // Before 1 h the preset is 1x: 3 passes of 2 rows, period 2 s (span 1 s + mean gap 1 s).
  auto source = make_request_source(w, 1);
  int n = 0;
  Time last;
  while (auto r = source->next()) {
    ++n;
    last = r->arrival;
    CHECK(r->model == "llama-70b");
  }
  CHECK(n == 6);
  CHECK(last == 1_min + 5_s);
}

TEST_CASE("a synthetic workload reads arrivals, diurnal cycle, token distributions and demand points") {
  TempDir dir;
  const auto w = load(dir,
                      "workload:\n"
                      "  synthetic:\n"
                      "    arrivals: {process: gamma, rate: 40/s, cv: 2}\n"
                      "    diurnal: {period: 1 day, amplitude: 50%, peak_at: 14 h}\n"
                      "    input_tokens: {distribution: lognormal, mean: 1k, cv: 1.5}\n"
                      "    output_tokens: {distribution: fixed, mean: 200}\n"
                      "    max_input_tokens: 8k\n"
                      "    end: 2 h\n"
                      "  demand:\n"
                      "    points: [[0 s, 1x], {at: 1 h, multiplier: 300%}]\n");
  REQUIRE(w.synthetic);
  CHECK(w.synthetic->arrivals.rate_per_s == 40.0);
  CHECK(w.synthetic->arrivals.cv == 2.0);
  CHECK(w.synthetic->diurnal.amplitude == 0.5);
  CHECK(w.synthetic->diurnal.peak_at == 14_h);
  CHECK(w.synthetic->lengths.input.mean == 1000.0);
  CHECK(w.synthetic->lengths.max_input_tokens == 8000);  // "8k" is 8,000 (kCount uses SI prefixes)
  CHECK(w.synthetic->end == 2_h);
  REQUIRE(w.demand);
  CHECK(w.demand->demand.at(30_min) == Approx(2.0));
  auto source = make_request_source(w, 7);
  CHECK(source->next());
}

TEST_CASE("bad workload sections name the key and its line") {
  // Two sources, each readable: the spec's validate() refuses the pair at the section.
  CHECK_THAT(error_of("workload:\n  conversations: {sessions: {process: poisson, rate: 1/s}}\n"
                      "  synthetic: {arrivals: {process: poisson, rate: 1/s}, input_tokens: {distribution: fixed, mean: 1},"
                      " output_tokens: {distribution: fixed, mean: 1}}\n"),
             Catch::Contains(":2:3: workload: a workload needs exactly one of 'trace', 'synthetic' and 'conversations'"));
  CHECK_THAT(error_of("workload:\n  model: m\n"), Catch::Contains("exactly one of 'trace', 'synthetic' and 'conversations'"));
  CHECK_THAT(error_of("workload:\n  trace: {format: azure, path: x.csv}\n  demand: {preset: lunch_day}\n"),
             Catch::Contains(":3:") && Catch::Contains("did you mean 'launch_day'"));
  CHECK_THAT(error_of("workload:\n  trace: {format: csv, path: x.csv, columns: {time: t, time_unit: minutes, input_tokens: 2, output_tokens: 3}}\n"),
             Catch::Contains("time_unit"));
  CHECK_THAT(error_of("workload:\n  trace: {format: azure, path: x.csv}\n  demand: {points: [[0 s]]}\n"),
             Catch::Contains("workload.demand.points[0]") && Catch::Contains("[time, multiplier]"));
  CHECK_THAT(error_of("workload:\n  trace: {format: azure, path: x.csv}\n  demand: {points: [[1 h, 1x], [0 s, 2x]]}\n"),
             Catch::Contains("must not decrease"));
  CHECK_THAT(error_of("workload:\n  synthetic:\n    arrivals: {process: poisson, rate: 1/s}\n    diurnal: {amplitude: 150%}\n"
                      "    input_tokens: {distribution: fixed, mean: 1}\n    output_tokens: {distribution: fixed, mean: 1}\n"),
             Catch::Contains(":4:26: workload.synthetic.diurnal.amplitude: the amplitude must be in [0, 1]"));
  CHECK_THAT(error_of("workload:\n  trace: {format: azure, path: x.csv, jiter: 1 s}\n"), Catch::Contains("unknown key 'jiter'"));
}

TEST_CASE("a conversations workload reads sessions, turns, think time and the shared system prompt") {
  TempDir dir;
  const auto w = load(dir,
                      "workload:\n"
                      "  conversations:\n"
                      "    sessions: {process: poisson, rate: 0.5/s}\n"
                      "    turns: {distribution: lognormal, mean: 5, cv: 1}\n"
                      "    think_time: {distribution: exponential, mean: 1 min}\n"
                      "    user_tokens: {distribution: fixed, mean: 200}\n"
                      "    output_tokens: {distribution: fixed, mean: 300}\n"
                      "    system_prompt_tokens: 2k\n"
                      "    system_prompts: 8\n"
                      "    system_prompt_zipf: 1.2\n"
                      "    block_tokens: 32\n"
                      "    max_context_tokens: 16k\n"
                      "    end: 1 h\n");
  REQUIRE(w.conversations);
  CHECK(w.conversations->sessions.rate_per_s == 0.5);
  CHECK(w.conversations->turns.mean == 5.0);
  CHECK(w.conversations->think_time_s.mean == 60.0);
  CHECK(w.conversations->system_prompt_tokens == 2000);
  CHECK(w.conversations->system_prompts == 8);
  CHECK(w.conversations->system_prompt_zipf == 1.2);
  CHECK(w.conversations->block_tokens == 32);
  CHECK(w.conversations->max_context_tokens == 16000);
  CHECK(w.conversations->end == 1_h);
  auto source = make_request_source(w, 7);
  const auto first = source->next();
  REQUIRE(first);
  CHECK(first->input_tokens == 2200);
  CHECK(first->prefix_block_tokens == 32);
}

TEST_CASE("bad conversations sections name the key") {
  const std::string head = "workload:\n  conversations:\n    sessions: {process: poisson, rate: 1/s}\n";
  CHECK_THAT(error_of(head + "    system_prompts: 0\n"),
             Catch::Contains("workload.conversations.system_prompts") && Catch::Contains("out of range"));
  CHECK_THAT(error_of(head + "    system_prompt_tokens: 1000\n    max_context_tokens: 1000\n"),
             Catch::Contains("workload.conversations.max_context_tokens") && Catch::Contains("no turn fits"));
  CHECK_THAT(error_of(head + "    thinktime: {distribution: fixed, mean: 1 s}\n"),
             Catch::Contains("did you mean 'think_time'"));
  CHECK_THAT(error_of(head + "  demand: {points: [[0 s, 2x]]}\n"),
             Catch::Contains("workload.demand") && Catch::Contains("no demand profile"));
}

TEST_CASE("a jsonl trace's prefix blocks are 512 tokens unless block_tokens says") {
  TempDir dir;
  dir.write("m.jsonl", "{\"timestamp\": 0, \"input_length\": 1000, \"output_length\": 5, \"hash_ids\": [1, 2]}\n");
  for (const auto& [extra, tokens] : std::vector<std::pair<std::string, std::int64_t>>{{"", 512}, {", block_tokens: 64", 64}}) {
    const auto w = load(dir, "workload:\n  trace: {format: jsonl, path: m.jsonl" + extra + "}\n");
    const auto r = make_request_source(w, 1)->next();
    REQUIRE(r);
    CHECK(r->prefix_block_tokens == tokens);
  }
  CHECK_THAT(error_of("workload:\n  trace: {format: azure, path: x.csv, block_tokens: 64}\n"),
             Catch::Contains("unknown key 'block_tokens'"));
}

TEST_CASE("a job trace section names the Alibaba pod list") {
  TempDir dir;
  dir.write("pods.csv",
            "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n"
            "openb-pod-0017,88000,327680,8,1000,,Burstable,Succeeded,9437497,10769854,9437497\n");
  const ConfigNode root = load_config_file(dir.write("j.yaml", "jobs: {format: alibaba_pods, path: pods.csv, skip_bad_rows: true}\n"));
  MapReader r(root, "");
  const auto j = read_job_trace(r.map("jobs"));
  CHECK(j.path == (dir.path() / "pods.csv").string());
  CHECK(j.options.skip_bad_rows);
}
