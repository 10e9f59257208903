#include <catch2/catch.hpp>

#include <set>

#include "topology/fabric_builder.hpp"

using namespace cs;

namespace {

std::vector<VertexId> switches(const Topology& t, int tier) {
  std::vector<VertexId> out;
  for (std::size_t v = 0; v < t.vertex_count(); ++v) {
    const auto& info = t.vertex(static_cast<VertexId>(v));
    if (info.kind == VertexKind::kNetworkSwitch && info.tier == tier) out.push_back(static_cast<VertexId>(v));
  }
  return out;
}

double capacity_between(const Topology& t, VertexId sw, VertexKind other, int other_tier) {
  double sum = 0;
  for (const auto& e : boost::make_iterator_range(boost::out_edges(sw, t.graph()))) {
    const auto& to = t.vertex(t.graph()[e].to);
    if (to.kind == other && (other_tier < 0 || to.tier == other_tier)) sum += t.graph()[e].bandwidth_bytes_per_s;
  }
  return sum;
}

ClusterSpec one_nic_nodes(int nodes, FabricKind kind) {
  ClusterSpec spec;
  spec.node = node_preset("cpu_host");
  spec.node.nic_bytes_per_s = 50e9;
  spec.nodes = nodes;
  spec.fabric.kind = kind;
  return spec;
}

}  // namespace

TEST_CASE("a leaf-spine fabric has the requested oversubscription at every leaf") {
  for (const double ratio : {1.0, 3.0, 4.0}) {
    ClusterSpec spec = one_nic_nodes(64, FabricKind::kLeafSpine);
    spec.fabric.leaf_ports = 16;
    spec.fabric.oversubscription = ratio;
    const Topology t = build_cluster(spec);
    const auto leaves = switches(t, 0);
    CHECK(leaves.size() == 4);  // 64 NICs / 16 ports
    for (const VertexId leaf : leaves) {
      const double down = capacity_between(t, leaf, VertexKind::kNic, -1);
      const double up = capacity_between(t, leaf, VertexKind::kNetworkSwitch, 1);
      CHECK(down == Approx(16 * 50e9));
      CHECK(down / up == Approx(ratio));
    }
  }
}

TEST_CASE("a k=4 fat-tree has 16 host ports on 8 edge, 8 aggregation and 4 core switches") {
  ClusterSpec spec = one_nic_nodes(16, FabricKind::kFatTree);
  spec.fabric.fat_tree_k = 4;
  const Topology t = build_cluster(spec);
  CHECK(switches(t, 0).size() == 8);
  CHECK(switches(t, 1).size() == 8);
  CHECK(switches(t, 2).size() == 4);
  // Full bisection: every edge switch has as much capacity up as down (2 hosts, 2 aggs).
  for (const VertexId e : switches(t, 0))
    CHECK(capacity_between(t, e, VertexKind::kNic, -1) == capacity_between(t, e, VertexKind::kNetworkSwitch, 1));
  spec.fabric.fat_tree_k = 0;  // auto: k=4 is the smallest with k^3/4 >= 16
  CHECK(build_cluster(spec).vertex_count() == t.vertex_count());
}

TEST_CASE("a rail-optimized fabric puts NIC i of every node on rail switch i") {
  ClusterSpec spec;
  spec.node = node_preset("dgx_h100");
  spec.nodes = 4;
  spec.fabric.kind = FabricKind::kRailOptimized;
  const Topology t = build_cluster(spec);
  for (int r = 0; r < 8; ++r) {
    const auto rail = t.find("g0.rail" + std::to_string(r));
    REQUIRE(rail);
    std::set<std::string> attached;
    for (const auto& e : boost::make_iterator_range(boost::out_edges(*rail, t.graph())))
      if (t.vertex(t.graph()[e].to).kind == VertexKind::kNic) attached.insert(t.vertex(t.graph()[e].to).name);
    CHECK(attached.size() == 4);
    for (int n = 0; n < 4; ++n) CHECK(attached.count("n" + std::to_string(n) + ".nic" + std::to_string(r)));
  }
}

TEST_CASE("a fabric without NICs to attach is rejected") {
  ClusterSpec spec;
  spec.node = node_preset("dgx_h100");
  spec.node.nics = 0;
  spec.nodes = 2;
  CHECK_THROWS_WITH(build_cluster(spec), Catch::Contains("no NIC"));
  spec.node.nics = 8;
  spec.fabric.oversubscription = 0.5;
  CHECK_THROWS_WITH(build_cluster(spec), Catch::Contains("oversubscription"));
}

TEST_CASE("1,024-GPU and 16,384-GPU rail-optimized clusters build with the expected sizes") {
  for (const int nodes : {128, 2048}) {
    ClusterSpec spec;
    spec.node = node_preset("dgx_h100");
    spec.nodes = nodes;
    spec.fabric.kind = FabricKind::kRailOptimized;
    const Topology t = build_cluster(spec);
    CHECK(t.gpus().size() == static_cast<std::size_t>(nodes) * 8);
    CHECK(t.node_count() == nodes);
  }
}
