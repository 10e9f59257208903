#include <catch2/catch.hpp>

#include <string>

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
  CHECK_THAT(error_of("workload:\n  synthetic: {}\n  trace: {}\n"), Catch::Contains("exactly one of 'trace' and 'synthetic'"));
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
             Catch::Contains("amplitude") && Catch::Contains("out of range"));
  CHECK_THAT(error_of("workload:\n  trace: {format: azure, path: x.csv, jiter: 1 s}\n"), Catch::Contains("unknown key 'jiter'"));
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
