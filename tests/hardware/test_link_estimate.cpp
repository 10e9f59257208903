#include <catch2/catch.hpp>

#include "sim/hardware/link_estimate.hpp"

using namespace cs;

TEST_CASE("ring all-reduce moves 2(n-1)/n of the buffer and pays 2(n-1) latencies") {
  const LinkPath path{100e9, Time::us(1)};
  // 8 GPUs, 1 GB: 2 * 7/8 * 1e9 / 100e9 = 17.5 ms, + 14 us.
  CHECK(all_reduce_seconds(1e9, 8, path) == Approx(0.0175 + 14e-6));
  CHECK(all_reduce_seconds(1e9, 1, path) == 0);
  // all-gather is half the all-reduce's traffic and steps.
  CHECK(all_gather_seconds(1e9, 8, path) == Approx(0.00875 + 7e-6));
  CHECK(send_recv_seconds(1e6, path) == Approx(1e-5 + 1e-6));
}

TEST_CASE("a group inside the NVLink domain uses the link, a larger one falls back to PCIe") {
  GpuSpec g;
  g.link = GpuLinkSpec{"nvlink", 4, 450e9, Time::us(1), 8};
  g.pcie = PcieSpec{5, 16};
  g.efficiency.gpu_link = 0.8;
  g.efficiency.host_link = 0.8;
  CHECK(group_path(g, 8).bandwidth_bytes_per_s == Approx(360e9));
  CHECK(group_path(g, 16).bandwidth_bytes_per_s == Approx(0.8 * 63.015e9).epsilon(1e-3));
}
