#include <catch2/catch.hpp>

#include "sim/scenario/config_error.hpp"
#include "sim/scenario/gpu_catalog_loader.hpp"

using namespace cs;

namespace {
const GpuCatalog& repo_gpus() {
  static const GpuCatalog c = load_gpu_catalog(gpu_catalog_file(std::string(CLUSTERSIM_SOURCE_DIR) + "/configs"));
  return c;
}
}  // namespace

TEST_CASE("the GPU catalog holds every GPU the planners ask for, each with a source") {
  const GpuCatalog& c = repo_gpus();
  for (const char* name :
       {"a100-40gb-sxm", "a100-80gb-sxm", "a100-80gb-pcie", "h100-sxm", "h100-pcie", "h200", "l4", "l40s", "a10",
        "a10g", "a40", "rtx-a6000", "rtx-3080-ti", "rtx-4090", "mi300x", "gaudi2", "tpu-v5e"}) {
    INFO(name);
    REQUIRE(c.contains(name));
    const GpuSpec& g = c.get(name);
    CHECK_FALSE(g.source.empty());
    CHECK(g.peak_flops(Dtype::kBf16) > 0);
    CHECK(g.memory_bytes > 0);
    CHECK(g.idle_w < g.tdp_w);
  }
}

TEST_CASE("catalog entries carry the datasheet figures in SI units") {
  const GpuSpec& h100 = repo_gpus().get("h100-sxm");
  CHECK(h100.peak_flops(Dtype::kBf16) == Approx(989.4e12));
  CHECK(h100.peak_flops(Dtype::kFp8) == Approx(1978.9e12));
  CHECK(h100.memory_bytes == 80.0 * (1ull << 30));
  CHECK(h100.memory_bandwidth_bytes_per_s == Approx(3.35e12));
  CHECK(h100.tdp_w == 700);
  CHECK(h100.link.technology == "nvlink");
  CHECK(h100.link.generation == 4);
  CHECK(h100.link.bandwidth_bytes_per_s == Approx(450e9));  // 900 GB/s bidirectional
  CHECK(h100.link.domain_gpus == 8);
  CHECK(h100.pcie.generation == 5);
  // The catalog-wide defaults apply where an entry says nothing.
  CHECK(h100.efficiency.compute == 0.75);
  CHECK(h100.efficiency.launch_overhead == Time::ns(1500));
  const GpuSpec& a100 = repo_gpus().get("a100");  // alias
  CHECK(a100.name == "a100-80gb-sxm");
  CHECK(a100.peak_flops(Dtype::kBf16) == 312e12);
  CHECK(a100.peak_flops(Dtype::kFp8) == 312e12);  // no fp8 on Ampere
  CHECK_FALSE(repo_gpus().get("l4").link.present());
}

TEST_CASE("a scenario adds its own GPU next to the catalog's") {
  const std::string dir = std::string(CLUSTERSIM_SOURCE_DIR) + "/configs/hardware";
  const ConfigNode root = load_config_text(
      "extends: gpus.yaml\n"
      "gpus:\n"
      "  my-card:\n"
      "    peak_flops: {bf16: 400 TFLOP/s}\n"
      "    memory: 64 GiB\n"
      "    memory_bandwidth: 2 TB/s\n"
      "    tdp: 500 W\n"
      "    efficiency: {memory: 0.9}\n"
      "    source: our lab's measurements\n",
      "scenario.yaml", dir);
  MapReader r(root, "");
  GpuCatalog c;
  read_gpu_catalog(r, c);
  r.finish();
  CHECK(c.contains("h100-sxm"));
  const GpuSpec& mine = c.get("my-card");
  CHECK(mine.peak_flops(Dtype::kFp8) == 400e12);
  CHECK(mine.idle_w == 50);  // 10% of TDP when not given
  CHECK(mine.efficiency.memory == 0.9);
  CHECK(mine.efficiency.compute == 0.75);  // the catalog default
}

TEST_CASE("a bad GPU entry is reported at its line with the key") {
  const ConfigNode root = load_config_text(
      "gpus:\n"
      "  bad:\n"
      "    peak_flops: {bf17: 1 TFLOP/s}\n"
      "    memory: 1 GiB\n"
      "    memory_bandwidth: 1 TB/s\n"
      "    tdp: 100 W\n"
      "    source: x\n",
      "bad.yaml", ".");
  MapReader r(root, "");
  GpuCatalog c;
  CHECK_THROWS_WITH(read_gpu_catalog(r, c), Catch::Contains("bad.yaml:3") &&
                                                Catch::Contains("gpus.bad.peak_flops.bf17") &&
                                                Catch::Contains("unknown number format"));
}
