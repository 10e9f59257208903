#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include "../scenario/scenario_test_files.hpp"

namespace {

struct Captured {
  int status;
  std::string text;  // stdout and stderr, interleaved
};

Captured capture(const std::string& args) {
  const std::string cmd = std::string(CLUSTERSIM_EXE) + " " + args + " 2>&1";
  Captured c{-1, {}};
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return c;
  std::array<char, 4096> chunk;
  while (std::fgets(chunk.data(), chunk.size(), pipe)) c.text += chunk.data();
  const int raw = pclose(pipe);
  c.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return c;
}

}  // namespace

TEST_CASE("estimate --json prints every key a planner scripts against") {
  const Captured r =
      capture("estimate --model llama-2-70b --gpu h100-sxm --tp 4 --input-tokens 1024 --output-tokens 256 --json");
  REQUIRE(r.status == 0);
  for (const char* key : {"flops_per_request", "weights_bytes", "memory_per_gpu_bytes", "fits", "prefill_s",
                          "decode_s_per_token", "bound_prefill", "bound_decode", "tokens_per_s", "usd_per_1k_tokens",
                          "train_flops", "train_days", "train_usd"}) {
    INFO(key);
    CHECK_THAT(r.text, Catch::Contains("\"" + std::string(key) + "\": "));
  }
  CHECK_THAT(r.text, Catch::Contains("\"fits\": true"));
  CHECK_THAT(r.text, Catch::Contains("\"bound_decode\": \"memory\""));
  CHECK_THAT(r.text, Catch::Contains("\"bound_prefill\": \"compute\""));
  CHECK_THAT(r.text, Catch::StartsWith("{") && Catch::EndsWith("}\n"));
}

TEST_CASE("estimate names the known GPUs when given an unknown one, and exits 2") {
  const Captured r = capture("estimate --model llama-2-70b --gpu h1000");
  CHECK(r.status == 2);
  CHECK_THAT(r.text,
             Catch::Contains("unknown GPU 'h1000'; known GPUs: a10, a100-40gb-sxm") && Catch::Contains("h100-sxm"));
}

TEST_CASE("estimate of a plan that does not fit states memory needed vs available and the plan that fits") {
  const Captured r = capture("estimate -m llama-3-405b -g h100-sxm --tp 8 --streaming off");
  CHECK(r.status == 2);
  CHECK_THAT(r.text, Catch::Contains("GiB per GPU") && Catch::Contains("h100-sxm has 80.0 GiB") &&
                         Catch::Contains("tp=8 pp=2 dp=1 (16 GPUs)"));
  const Captured streamed = capture("estimate -m llama-3-405b -g h100-sxm --tp 8 --json");
  CHECK(streamed.status == 0);
  CHECK_THAT(streamed.text, Catch::Contains("\"fits\": false") && Catch::Contains("\"streaming\": true") &&
                                Catch::Contains("\"bound_decode\": \"host-link\""));
}

TEST_CASE("estimate without a plan picks the smallest that fits") {
  const Captured r = capture("estimate -m llama-2-70b -g a100-40gb-sxm");
  CHECK(r.status == 0);
  CHECK_THAT(r.text, Catch::Contains("tp=4 pp=1 dp=1, smallest plan that fits"));
}

TEST_CASE("estimate reads a scenario that brings its own GPU") {
  cs::test::TempDir dir;
  const auto file = dir.write("mine.yaml",
                              "gpus:\n"
                              "  lab-card:\n"
                              "    peak_flops: {bf16: 500 TFLOP/s}\n"
                              "    memory: 96 GiB\n"
                              "    memory_bandwidth: 4 TB/s\n"
                              "    tdp: 600 W\n"
                              "    source: lab measurement\n"
                              "estimate:\n"
                              "  model: llama-3-8b\n"
                              "  gpu: lab-card\n"
                              "  input_tokens: 2k\n"
                              "  price: $3/h\n");
  const Captured r = capture("estimate --scenario " + file.string() + " --json");
  CHECK(r.status == 0);
  CHECK_THAT(r.text, Catch::Contains("\"gpu\": \"lab-card\"") && Catch::Contains("\"input_tokens\": 2000") &&
                         Catch::Contains("\"usd_per_gpu_hour\": 3"));
}

TEST_CASE("catalog lists GPUs and models by the names estimate accepts") {
  const Captured r = capture("catalog");
  CHECK(r.status == 0);
  for (const char* name : {"h100-sxm", "a100-80gb-sxm", "tpu-v5e", "gaudi2", "llama-2-70b", "mixtral-8x7b"}) {
    INFO(name);
    CHECK_THAT(r.text, Catch::Contains(name));
  }
  CHECK(capture("catalog gpu").status == 2);
}

TEST_CASE("estimate prices a replica at a provider's list price and its tokens at every provider's") {
  const Captured r = capture("estimate -m llama-2-13b -g a100-40gb-sxm --tp 1 --provider lambda --json");
  CHECK(r.status == 0);
  // Lambda's A100 40GB at $1.10 and AWS's at $4.096 per GPU-hour (configs/prices/clouds.yaml).
  CHECK_THAT(r.text, Catch::Contains("\"usd_per_gpu_hour\": 1.1") && Catch::Contains("usd_per_1k_tokens_aws") &&
                         Catch::Contains("usd_per_1k_tokens_lambda") && Catch::Contains("wh_per_1k_tokens"));
  CHECK(capture("estimate -m llama-2-13b -g a100-40gb-sxm --provider nocloud").status == 2);
  CHECK(capture("estimate -m llama-2-13b -g a100-40gb-sxm --provider aws --option lease").status == 2);
  CHECK(capture("estimate -m llama-2-13b -g l40s --provider lambda").status == 2);  // not listed
}

TEST_CASE("catalog prices lists providers, purchase options and owned servers") {
  const Captured r = capture("catalog prices");
  CHECK(r.status == 0);
  for (const char* name : {"aws", "azure", "gcp", "lambda", "coreweave", "p4d.24xlarge", "dgx-a100", "reserv_1y"}) {
    INFO(name);
    CHECK_THAT(r.text, Catch::Contains(name));
  }
  CHECK(capture("catalog --prices").text == r.text);
}

TEST_CASE("estimate handles the MoE catalog models: DeepSeek-V3 with MLA, Mixtral 8x22B, Mixtral 8x7B with EP") {
  // DeepSeek-V3's 671B bf16 weights (1.34 TB) need more than one 8-GPU H200 node.
  const Captured v3 = capture("estimate -m deepseek-v3 -g h200 --json");
  CHECK(v3.status == 0);
  CHECK_THAT(v3.text, Catch::Contains("\"fits\": true") && Catch::Contains("\"pp\": 2"));
  const Captured big = capture("estimate -m mixtral-8x22b -g h100-sxm --json");
  CHECK(big.status == 0);
  CHECK_THAT(big.text, Catch::Contains("\"fits\": true"));
  const Captured ep = capture("estimate -m mixtral-8x7b -g h100-sxm --tp 2 --dp 4 --ep 4 --json");
  CHECK(ep.status == 0);
  CHECK_THAT(ep.text, Catch::Contains("\"ep\": 4") && Catch::Contains("\"fits\": true"));
  CHECK(capture("estimate -m llama-2-7b -g h100-sxm --dp 2 --ep 2").status == 2);  // no experts
}

namespace {
double json_number(const std::string& text, const std::string& key) {
  const auto at = text.find("\"" + key + "\": ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + key.size() + 4));
}
}  // namespace

TEST_CASE("estimate with a topology streams weights at its host link's rate") {
  const std::string base = "estimate -m llama-2-70b -g h100-sxm --tp 1 --dtype fp16 --json";
  // Without a topology: the H100's own PCIe Gen5 x16 at 80% (32 GT/s x 16 lanes x 128/130 / 8).
  const Captured alone = capture(base);
  REQUIRE(alone.status == 0);
  CHECK(json_number(alone.text, "stream_host_bytes_per_s") == Approx(0.8 * 32e9 * 16 * 128 / 130 / 8));
  // A DGX A100 node's host link is PCIe Gen4 x16: 31.5 GB/s at 80%.
  const Captured gen4 = capture(base + " --topology dgx_a100");
  REQUIRE(gen4.status == 0);
  CHECK(json_number(gen4.text, "stream_host_bytes_per_s") == Approx(0.8 * 31.5e9));
  CHECK(json_number(gen4.text, "decode_s_per_token") > json_number(alone.text, "decode_s_per_token"));
  // TP 2 on a PCIe server: both GPUs of the group sit under one Gen4 switch and share its uplink.
  const Captured shared =
      capture("estimate -m llama-2-70b -g l40s --tp 2 --dtype fp16 --streaming on --topology pcie_8gpu --json");
  REQUIRE(shared.status == 0);
  CHECK(json_number(shared.text, "stream_host_bytes_per_s") == Approx(0.8 * 31.5e9 / 2));
  // A rate given by hand wins over the topology's.
  const Captured given = capture(base + " --topology dgx_a100 --host-bandwidth \"7 GB/s\"");
  CHECK(json_number(given.text, "stream_host_bytes_per_s") == Approx(7e9));
}
