#include <catch2/catch.hpp>

#include <vector>

#include "topology/host_link.hpp"
#include "topology/node_template.hpp"

using namespace cs;

TEST_CASE("a GPU's host link runs from its socket's DRAM through the CPU and its PCIe switch") {
  Topology t;
  const NodeVertices nv = add_node(t, node_preset("pcie_8gpu"), 0);
  Router router(t);
  // GPUs 2 and 3 sit under the second PCIe switch, which hangs off socket 1.
  const HostLink h = host_link(router, nv.gpus[2]);
  CHECK(h.memory == nv.memories[1]);
  REQUIRE(h.links.size() == 3);
  CHECK(t.link(h.links[0]).kind == LinkKind::kMemoryBus);
  CHECK(t.link(h.links[2]).to == nv.gpus[2]);
  // PCIe Gen4 x16 (31.5 GB/s) is slower than the socket's DDR4 (204.8 GB/s).
  CHECK(bottleneck_bytes_per_s(t, h.links) == 31.5e9);
  CHECK(bottleneck_bytes_per_s(t, h.links, [](LinkId) { return 7.0; }) == 7.0);
}

TEST_CASE("two GPUs under one PCIe switch with a x16 uplink each get half of it") {
  Topology t;
  const NodeVertices nv = add_node(t, node_preset("pcie_8gpu"), 0);
  Router router(t);
  const std::vector<VertexId> alone{nv.gpus[0]};
  const std::vector<VertexId> same_switch{nv.gpus[0], nv.gpus[1]};
  const std::vector<VertexId> two_switches{nv.gpus[0], nv.gpus[2]};
  CHECK(shared_host_bytes_per_s(router, alone) == 31.5e9);
  CHECK(shared_host_bytes_per_s(router, same_switch) == 31.5e9 / 2);
  CHECK(shared_host_bytes_per_s(router, two_switches) == 31.5e9);
}

TEST_CASE("eight DGX H100 GPUs each stream over their own PCIe Gen5 switch at the full x16 rate") {
  Topology t;
  const NodeVertices nv = add_node(t, node_preset("dgx_h100"), 0);
  Router router(t);
  // Four switches per socket: 4 x 63 GB/s = 252 GB/s of the socket's 307 GB/s of DRAM.
  CHECK(shared_host_bytes_per_s(router, nv.gpus) == 63e9);
  Topology a;
  const NodeVertices na = add_node(a, node_preset("dgx_a100"), 0);
  Router ra(a);
  CHECK(shared_host_bytes_per_s(ra, std::vector<VertexId>{na.gpus[5]}) == 31.5e9);
}

TEST_CASE("a host link is asked of a GPU only") {
  Topology t;
  const NodeVertices nv = add_node(t, node_preset("pcie_8gpu"), 0);
  Router router(t);
  CHECK_THROWS_WITH(host_link(router, nv.nics[0]), Catch::Contains("is not a GPU"));
}
