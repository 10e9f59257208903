#include <catch2/catch.hpp>

#include "sim/hardware/gpu_catalog.hpp"
#include "sim/hardware/power_curve.hpp"

using namespace cs;

namespace {
GpuSpec ampere_like() {
  GpuSpec g;
  g.name = "test-gpu";
  g.peak_flops_per_s = {{Dtype::kFp32, 19.5e12}, {Dtype::kBf16, 312e12}, {Dtype::kInt8, 624e12}};
  g.memory_bytes = 80.0 * (1ull << 30);
  g.memory_bandwidth_bytes_per_s = 2e12;
  g.tdp_w = 400;
  g.idle_w = 50;
  g.source = "hand-made";
  return g;
}
}  // namespace

TEST_CASE("PCIe payload rate follows generation encoding and lane count") {
  // gen4: 16 GT/s * 128/130 / 8 bit = 1.969 GB/s per lane; x16 = 31.5 GB/s.
  CHECK(PcieSpec{4, 16}.bandwidth_bytes_per_s() == Approx(16e9 * 128 / 130 / 8 * 16));
  CHECK(PcieSpec{4, 16}.bandwidth_bytes_per_s() == Approx(31.51e9).epsilon(1e-3));
  // gen5 x16 doubles it: 63.0 GB/s; gen3 x8 is a quarter of gen4 x16.
  CHECK(PcieSpec{5, 16}.bandwidth_bytes_per_s() == Approx(63.02e9).epsilon(1e-3));
  CHECK(PcieSpec{3, 8}.bandwidth_bytes_per_s() == Approx(PcieSpec{4, 16}.bandwidth_bytes_per_s() / 4));
  CHECK_THROWS_AS(pcie_lane_bytes_per_s(9), std::invalid_argument);
}

TEST_CASE("a format the GPU lacks runs at the peak of the next wider format it has") {
  const GpuSpec g = ampere_like();
  CHECK(g.peak_flops(Dtype::kBf16) == 312e12);
  // No fp8 and no fp16 entries: fp8 -> fp16 -> bf16.
  CHECK(g.peak_flops(Dtype::kFp8) == 312e12);
  CHECK(g.effective_compute_dtype(Dtype::kFp8) == Dtype::kBf16);
  // int4 -> int8, which it has.
  CHECK(g.peak_flops(Dtype::kInt4) == 624e12);
  // tf32 missing: falls to fp32.
  CHECK(g.peak_flops(Dtype::kTf32) == 19.5e12);
  GpuSpec only_bf16 = g;
  only_bf16.peak_flops_per_s = {{Dtype::kBf16, 432e12}};
  CHECK_THROWS_WITH(only_bf16.peak_flops(Dtype::kFp32), Catch::Contains("no peak for fp32"));
}

TEST_CASE("GPU validation names the GPU and the bad field") {
  GpuSpec g = ampere_like();
  g.idle_w = 500;
  CHECK_THROWS_WITH(validate(g), Catch::Contains("test-gpu") && Catch::Contains("idle power"));
  g = ampere_like();
  g.efficiency.memory = 1.2;
  CHECK_THROWS_WITH(validate(g), Catch::Contains("efficiencies"));
}

TEST_CASE("tensor-parallel domain is the link domain, or one server over PCIe") {
  GpuSpec g = ampere_like();
  g.node_gpus = 4;
  CHECK(g.tensor_parallel_domain() == 4);  // no link
  g.link = GpuLinkSpec{"nvlink", 3, 300e9, Time::us(1), 8};
  CHECK(g.tensor_parallel_domain() == 8);
}

TEST_CASE("board power rises linearly from idle to TDP with utilization") {
  const GpuSpec g = ampere_like();  // 50 W idle, 400 W TDP
  CHECK(power_w(g, 0) == 50);
  CHECK(power_w(g, 0.5) == 225);  // 50 + 350 / 2
  CHECK(power_w(g, 1) == 400);
  CHECK(power_w(g, 3) == 400);  // clamped
  CHECK(energy_j(g, 1, 3600) == 400 * 3600);
}

TEST_CASE("catalog lookup ignores case and separators, follows aliases, and lists known names") {
  GpuCatalog c;
  GpuSpec g = ampere_like();
  g.name = "A100-80GB-SXM";
  c.add(g);
  g.name = "h100-sxm";
  c.add(g);
  c.add_alias("a100", "a100-80gb-sxm");
  CHECK(c.get("a100_80gb_sxm").name == "a100-80gb-sxm");
  CHECK(c.get("A100").name == "a100-80gb-sxm");
  CHECK(c.aliases_of("a100-80gb-sxm") == std::vector<std::string>{"a100"});
  CHECK_THROWS_AS(c.get("h200"), UnknownNameError);
  CHECK_THROWS_WITH(c.get("h200"), "unknown GPU 'h200'; known GPUs: a100-80gb-sxm, h100-sxm");
}
