#include <catch2/catch.hpp>

#include "sim/hardware/roofline.hpp"

using namespace cs;

namespace {
GpuSpec round_gpu() {
  GpuSpec g;
  g.name = "round";
  g.peak_flops_per_s = {{Dtype::kBf16, 100e12}, {Dtype::kFp8, 200e12}};
  g.memory_bytes = 80e9;
  g.memory_bandwidth_bytes_per_s = 1e12;
  g.tdp_w = 300;
  g.efficiency.compute = 0.5;
  g.efficiency.memory = 0.8;
  g.efficiency.launch_overhead = Time::us(2);
  return g;
}
}  // namespace

TEST_CASE("a kernel with high arithmetic intensity is compute-bound at peak times efficiency") {
  // 1e12 FLOP / (100e12 * 0.5) = 20 ms; 1e9 B / (1e12 * 0.8) = 1.25 ms; 3 launches * 2 us.
  const KernelTime t = roofline_time(round_gpu(), KernelWork{1e12, 1e9, 3, Dtype::kBf16});
  CHECK(t.compute_s == Approx(0.020));
  CHECK(t.memory_s == Approx(0.00125));
  CHECK(t.launch_s == Approx(6e-6));
  CHECK(t.seconds() == Approx(0.020006));
  CHECK(t.bound() == Bound::kCompute);
}

TEST_CASE("a kernel that streams more bytes than it computes is memory-bound") {
  // 1e9 FLOP -> 20 us; 8e9 B / 0.8e12 B/s = 10 ms.
  const KernelTime t = roofline_time(round_gpu(), KernelWork{1e9, 8e9, 0, Dtype::kBf16});
  CHECK(t.seconds() == Approx(0.010));
  CHECK(t.bound() == Bound::kMemory);
  CHECK(bound_name(t.bound()) == "memory");
}

TEST_CASE("a narrower format uses its own, higher peak") {
  // fp8 peak 200 TFLOP/s: 1e12 / (200e12 * 0.5) = 10 ms, half the bf16 time.
  const KernelTime t = roofline_time(round_gpu(), KernelWork{1e12, 0, 0, Dtype::kFp8});
  CHECK(t.seconds() == Approx(0.010));
}

TEST_CASE("efficiencies can be overridden, and at 1.0 the roofline is the ideal one") {
  KernelEfficiency ideal;
  ideal.compute = ideal.memory = 1.0;
  ideal.launch_overhead = Time();
  const KernelTime t = roofline_time(round_gpu(), KernelWork{1e12, 2e9, 5, Dtype::kBf16}, ideal);
  CHECK(t.seconds() == Approx(0.010));  // 1e12 / 100e12
}

TEST_CASE("classes are timed separately and summed, the bound follows the larger share") {
  const GpuSpec g = round_gpu();
  KernelTime total = roofline_time(g, KernelWork{1e12, 1e9, 0, Dtype::kBf16});  // 20 ms compute
  total += roofline_time(g, KernelWork{0, 8e9, 0, Dtype::kBf16});               // 10 ms memory
  CHECK(total.seconds() == Approx(0.030));
  CHECK(total.bound() == Bound::kCompute);
  const KernelTime layers = total.times(10);
  CHECK(layers.seconds() == Approx(0.300));
  CHECK(layers.compute_bound_s == Approx(0.200));
}

TEST_CASE("rates looked up once time work exactly as the per-call roofline, and a missing format still throws") {
  GpuSpec g = round_gpu();
  g.peak_flops_per_s = {{Dtype::kFp16, 100e12}, {Dtype::kFp8, 200e12}};  // no bf16, tf32 or fp32
  const RooflineRates rates(g);
  for (const Dtype d : {Dtype::kFp16, Dtype::kFp8, Dtype::kInt8, Dtype::kInt4}) {  // int8/int4 widen to fp8
    for (const KernelWork w : {KernelWork{1e12, 1e9, 3, d}, KernelWork{3e9, 7e9, 0, d}, KernelWork{0, 0, 1, d}}) {
      const KernelTime a = rates.time(w);
      const KernelTime b = roofline_time(g, w);
      CHECK(a.compute_s == b.compute_s);
      CHECK(a.memory_s == b.memory_s);
      CHECK(a.roofline_s == b.roofline_s);
      CHECK(a.compute_bound_s == b.compute_bound_s);
      CHECK(a.launch_s == b.launch_s);
    }
  }
  // bf16 has no peak and nothing wider: only work with FLOPs needs one.
  CHECK(rates.time(KernelWork{0, 8e9, 0, Dtype::kBf16}).seconds() == Approx(0.010));
  CHECK_THROWS_AS(rates.time(KernelWork{1e9, 0, 0, Dtype::kBf16}), std::invalid_argument);
  CHECK_THROWS_AS(roofline_time(g, KernelWork{1e9, 0, 0, Dtype::kBf16}), std::invalid_argument);
}
