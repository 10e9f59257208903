#include <catch2/catch.hpp>

#include "topology/explicit_topology.hpp"
#include "topology/fabric_builder.hpp"
#include "topology/node_template.hpp"

using namespace cs;

namespace {

int count_kind(const Topology& t, VertexKind k) {
  int n = 0;
  for (std::size_t v = 0; v < t.vertex_count(); ++v) n += t.vertex(static_cast<VertexId>(v)).kind == k;
  return n;
}

int count_links(const Topology& t, LinkKind k) {
  int n = 0;
  for (std::size_t l = 0; l < t.link_count(); ++l) n += t.link(static_cast<LinkId>(l)).kind == k;
  return n;
}

}  // namespace

TEST_CASE("a DGX H100 node has eight GPUs on one NVSwitch and one NIC per GPU behind PCIe switches") {
  Topology t;
  const NodeVertices nv = add_node(t, node_preset("dgx_h100"), 0);
  CHECK(nv.gpus.size() == 8);
  CHECK(nv.nics.size() == 8);
  CHECK(count_kind(t, VertexKind::kNvSwitch) == 1);
  CHECK(count_kind(t, VertexKind::kPcieSwitch) == 8);
  CHECK(t.vertex(nv.nvswitch).in_switch_reduction);
  // 8 GPU<->NVSwitch cables, two directed links each, 450 GB/s each way.
  CHECK(count_links(t, LinkKind::kNvLink) == 16);
  for (std::size_t l = 0; l < t.link_count(); ++l)
    if (t.link(static_cast<LinkId>(l)).kind == LinkKind::kNvLink)
      CHECK(t.link(static_cast<LinkId>(l)).bandwidth_bytes_per_s == 450e9);
  CHECK(t.vertex(nv.gpus[3]).name == "n0.gpu3");
  CHECK(t.vertex(nv.gpus[3]).local == 3);
  CHECK(t.find("n0.nic7") == nv.nics[7]);
  CHECK(t.gpus().size() == 8);
}

TEST_CASE("a 4-GPU board links every pair of GPUs directly") {
  Topology t;
  const NodeVertices nv = add_node(t, node_preset("hgx_4gpu"), 0);
  CHECK(nv.gpus.size() == 4);
  CHECK(nv.nvswitch == kNoVertex);
  // 4 choose 2 = 6 cables = 12 directed NVLinks of 100 GB/s.
  CHECK(count_links(t, LinkKind::kNvLink) == 12);
}

TEST_CASE("a PCIe-only node shares two NICs between eight GPUs and has no NVLink") {
  Topology t;
  const NodeVertices nv = add_node(t, node_preset("pcie_8gpu"), 0);
  CHECK(nv.gpus.size() == 8);
  CHECK(nv.nics.size() == 2);
  CHECK(count_links(t, LinkKind::kNvLink) == 0);
}

TEST_CASE("a CPU host has memory, NVMe storage and a NIC but no GPU") {
  Topology t;
  const NodeVertices nv = add_node(t, node_preset("cpu_host"), 0);
  CHECK(nv.gpus.empty());
  CHECK(nv.storage != kNoVertex);
  CHECK(nv.memories.size() == 2);
  // 8 drives x 7 GB/s striped = 56 GB/s.
  CHECK(t.link(t.graph()[*boost::out_edges(nv.storage, t.graph()).first].id).bandwidth_bytes_per_s == 56e9);
}

TEST_CASE("an unknown node template names the known ones") {
  CHECK_THROWS_WITH(node_preset("dgx_h1000"), Catch::Contains("dgx_h100"));
}

TEST_CASE("building the same cluster twice gives identical vertex and link ids") {
  ClusterSpec spec;
  spec.node = node_preset("dgx_h100");
  spec.nodes = 6;
  spec.fabric.kind = FabricKind::kLeafSpine;
  spec.fabric.leaf_ports = 16;
  spec.fabric.oversubscription = 2;
  const Topology a = build_cluster(spec);
  const Topology b = build_cluster(spec);
  REQUIRE(a.vertex_count() == b.vertex_count());
  REQUIRE(a.link_count() == b.link_count());
  for (std::size_t v = 0; v < a.vertex_count(); ++v)
    CHECK(a.vertex(static_cast<VertexId>(v)).name == b.vertex(static_cast<VertexId>(v)).name);
  for (std::size_t l = 0; l < a.link_count(); ++l) {
    CHECK(a.link(static_cast<LinkId>(l)).from == b.link(static_cast<LinkId>(l)).from);
    CHECK(a.link(static_cast<LinkId>(l)).to == b.link(static_cast<LinkId>(l)).to);
  }
}

TEST_CASE("an explicit topology wires named vertices with asymmetric links") {
  ExplicitTopologySpec spec;
  spec.vertices = {{"a", VertexKind::kGpu, -1, false}, {"b", VertexKind::kGpu, -1, false},
                   {"sw", VertexKind::kNetworkSwitch, -1, false}};
  spec.links = {{"a", "sw", LinkKind::kEthernet, 10e9, 5e9, Time::us(1), true},
                {"sw", "b", LinkKind::kEthernet, 10e9, std::nullopt, Time::us(1), false}};
  const Topology t = build_explicit(spec);
  CHECK(t.link_count() == 3);
  CHECK(t.link(0).bandwidth_bytes_per_s == 10e9);
  CHECK(t.link(1).bandwidth_bytes_per_s == 5e9);
  CHECK(t.link(2).reverse == kNoLink);
  spec.links.push_back({"a", "nowhere", LinkKind::kEthernet, 1e9, std::nullopt, Time{}, true});
  CHECK_THROWS_WITH(build_explicit(spec), Catch::Contains("nowhere"));
}
