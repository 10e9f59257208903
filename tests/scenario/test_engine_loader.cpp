#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "scenario_load_error.hpp"
#include "sim/scenario/engine_loader.hpp"

using namespace cs;
using cs::test::error_of;
using cs::test::replace;
using cs::test::TempDir;

namespace {

const std::filesystem::path kConfigs = std::filesystem::path(CLUSTERSIM_SOURCE_DIR) / "configs";

const std::string kServing = cs::test::serving_scenario("llama-3-8b", "  pool: {initial_replicas: 1}\n");

// The rows of docs/COST_MODEL.md's table of engine constants: `section.key` and one cell per
// engine column (vllm, trtllm), as written.
struct ConstantRow {
  std::string section, key;
  std::vector<std::string> cells;
};

std::vector<ConstantRow> documented_engine_constants() {
  std::ifstream in(std::string(CLUSTERSIM_SOURCE_DIR) + "/docs/COST_MODEL.md");
  std::vector<ConstantRow> rows;
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line == "| constant | vllm | trtllm | source |") {
      inside = true;
      continue;
    }
    if (!inside || line.rfind("|---", 0) == 0) continue;
    if (line.rfind("| `", 0) != 0) break;
    std::vector<std::string> cells;
    std::stringstream fields(line.substr(1));
    for (std::string cell; std::getline(fields, cell, '|');) {
      const auto first = cell.find_first_not_of(' '), last = cell.find_last_not_of(' ');
      cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
    }
    const std::string name = cells.at(0).substr(1, cells.at(0).size() - 2);  // without the backticks
    const auto dot = name.find('.');
    rows.push_back({name.substr(0, dot), name.substr(dot + 1), {cells.at(1), cells.at(2)}});
  }
  return rows;
}

}  // namespace

TEST_CASE("docs/COST_MODEL.md's table of engine constants gives every value each engine file holds") {
  // Fitted values move when validation/fit_engines.py is rerun; the table must move with them.
  const std::vector<ConstantRow> rows = documented_engine_constants();
  REQUIRE(rows.size() >= 10);
  const char* engines[] = {"vllm", "trtllm"};
  int compared = 0;
  for (std::size_t e = 0; e < 2; ++e) {
    const YAML::Node file = YAML::LoadFile((kConfigs / "engines" / (std::string(engines[e]) + ".yaml")).string());
    for (const ConstantRow& row : rows) {
      const YAML::Node value = file[row.section][row.key];
      if (!value) continue;  // the engine has no such term ("none", or the loader's default)
      INFO(engines[e] << ": " << row.section << "." << row.key);
      CHECK(row.cells[e] == value.as<std::string>());
      ++compared;
    }
  }
  CHECK(compared >= 18);
}

TEST_CASE("the repository's engines load with their kernel models and scheduler defaults") {
  const ServingEngine vllm = load_engine("vllm", kConfigs);
  CHECK(vllm.profile.name == "vllm");
  CHECK(vllm.profile.kernels_per_layer >= 1);
  CHECK(vllm.replica.max_num_seqs == 256);
  CHECK_FALSE(vllm.source.empty());
  const ServingEngine trt = load_engine("trtllm", kConfigs);
  CHECK(trt.profile.name == "trtllm");
  CHECK(trt.replica.chunked_prefill);
  CHECK(trt.replica.max_num_seqs == 2048);
  CHECK(engine_names(kConfigs) == std::vector<std::string>{"trtllm", "vllm"});
}

TEST_CASE("a pool runs vLLM unless it names an engine, and its replica keys override the engine's one by one") {
  TempDir dir;
  const Scenario plain = load_scenario(dir.write("a.yaml", kServing));
  CHECK(plain.serving_pools.at(0).engine.name == "vllm");
  const Scenario trt = load_scenario(
      dir.write("b.yaml", replace(kServing, "  pool:", "  engine: trtllm\n  replica: {max_num_seqs: 64}\n  pool:")));
  CHECK(trt.serving_pools.at(0).engine.name == "trtllm");
  CHECK(trt.serving_pools.at(0).replica.max_num_seqs == 64);  // the pool's
  CHECK(trt.serving_pools.at(0).replica.kv_block_tokens ==
        load_engine("trtllm", kConfigs).replica.kv_block_tokens);  // the engine's
  CHECK(trt.serving_pools.at(0).replica.chunked_prefill);
}

TEST_CASE("an unknown engine is an error at the pool's engine key naming the known ones") {
  const std::string e = error_of(replace(kServing, "  pool:", "  engine: vlm\n  pool:"));
  CHECK_THAT(e, Catch::Contains("serving.engine") && Catch::Contains("unknown engine 'vlm'") &&
                    Catch::Contains("did you mean 'vllm'"));
}

TEST_CASE("a mistake inside an engine file names that file, line and key") {
  TempDir dir;
  const auto file = dir.write("my_engine.yaml",
                              "name: mine\n"
                              "kernels: {per_layer: 10, dispatch: 5 us}\n"
                              "host: {iteraton: 1 ms}\n");
  try {
    load_engine(file.string(), kConfigs);
    FAIL("the engine loaded");
  } catch (const ConfigError& err) {
    const std::string m = err.what();
    CHECK_THAT(m,
               Catch::Contains("my_engine.yaml:3") && Catch::Contains("host.iteraton") && Catch::Contains("iteration"));
  }
  const auto no_kernels = dir.write("k.yaml", "name: k\nkernels: {per_layer: 0}\n");
  CHECK_THROWS_WITH(load_engine(no_kernels.string(), kConfigs), Catch::Contains("kernels.per_layer"));
  // The replica defaults pass the replica spec's own validate, at the engine file's key.
  const auto orca = dir.write("o.yaml", "name: o\nkernels: {per_layer: 10, dispatch: 5 us}\n"
                                        "replica: {scheduler: orca, chunked_prefill: true}\n");
  CHECK_THROWS_WITH(load_engine(orca.string(), kConfigs),
                    Catch::Contains("o.yaml:3:") &&
                        Catch::Contains("replica.chunked_prefill: scheduler orca has no chunked prefill"));
}

TEST_CASE("each engine budgets its KV cache by its own key, and a pool's memory_utilization replaces the fraction") {
  const ServingEngine vllm = load_engine("vllm", kConfigs);
  CHECK(vllm.kv_sizing.budget == KvBudget::kTotalFraction);
  CHECK(vllm.kv_sizing.fraction == Approx(0.9));
  CHECK(vllm.kv_sizing.runtime_bytes == Approx(0.5 * (1u << 30)));
  const ServingEngine trt = load_engine("trtllm", kConfigs);
  CHECK(trt.kv_sizing.budget == KvBudget::kFreeFraction);
  CHECK(trt.kv_sizing.fraction == Approx(0.9));

  TempDir dir;
  const Scenario plain = load_scenario(dir.write("a.yaml", kServing));
  const Scenario lower =
      load_scenario(dir.write("b.yaml", replace(kServing, "  pool:", "  memory_utilization: 80%\n  pool:")));
  CHECK(lower.serving_pools.at(0).kv_sizing.fraction == Approx(0.8));
  CHECK(lower.serving_pools.at(0).kv_sizing.budget == KvBudget::kTotalFraction);
  // vLLM's budget is of the whole GPU: 10 points less is 8 GiB less per GPU for the KV cache.
  CHECK(plain.serving_pools.at(0).replica.kv_cache_bytes - lower.serving_pools.at(0).replica.kv_cache_bytes ==
        Approx(0.1 * 80 * (1u << 30)));
  // TensorRT-LLM's fraction is of what is free (the arithmetic is tests/llm/test_memory_model's).
  const Scenario trt_pool = load_scenario(dir.write("c.yaml", replace(kServing, "  pool:", "  engine: trtllm\n  pool:")));
  CHECK(trt_pool.serving_pools.at(0).kv_sizing.budget == KvBudget::kFreeFraction);
  CHECK(trt_pool.serving_pools.at(0).replica.kv_cache_bytes > 0);
}

TEST_CASE("an engine names its KV-cache budget by exactly one of the engines' two keys") {
  TempDir dir;
  const std::string head = "name: m\nkernels: {per_layer: 10}\n";
  const auto both = dir.write("both.yaml", head + "memory: {gpu_memory_utilization: 90%, kv_cache_free_gpu_mem_fraction: 90%}\n");
  CHECK_THROWS_WITH(load_engine(both.string(), kConfigs),
                    Catch::Contains("memory.kv_cache_free_gpu_mem_fraction") && Catch::Contains("exactly one"));
  const auto neither = dir.write("neither.yaml", head + "memory: {runtime: 1 GiB}\n");
  CHECK_THROWS_WITH(load_engine(neither.string(), kConfigs), Catch::Contains("memory.gpu_memory_utilization"));
  const auto over = dir.write("over.yaml", head + "memory: {gpu_memory_utilization: 120%}\n");
  CHECK_THROWS_WITH(load_engine(over.string(), kConfigs), Catch::Contains("(0, 100%]"));
}
