#include <catch2/catch.hpp>

#include "sim/network/ring_channels.hpp"
#include "topology/fabric_builder.hpp"

using namespace cs;

namespace {

Topology cluster(const std::string& preset, int nodes, LinkKind link) {
  ClusterSpec spec;
  spec.node = node_preset(preset);
  spec.nodes = nodes;
  spec.fabric.kind = FabricKind::kLeafSpine;
  spec.fabric.link_kind = link;
  spec.fabric.leaf_ports = 8;
  return build_cluster(spec);
}

}  // namespace

TEST_CASE("ring channels across two nodes of four ranks alternate direction so nodes meet on one rail") {
  GroupLayout layout;
  layout.by_node = {{0, 1, 2, 3}, {4, 5, 6, 7}};
  layout.uniform = true;
  const auto channels = ring_channels(layout, 8);
  REQUIRE(channels.size() == 4);
  CHECK(channels[0] == std::vector<std::size_t>{0, 1, 2, 3, 7, 6, 5, 4});
  CHECK(channels[1] == std::vector<std::size_t>{1, 2, 3, 0, 4, 7, 6, 5});
  // Every hop between nodes joins the same local index, and every rank leaves its node in
  // exactly one channel (so every NIC carries one channel each way).
  std::vector<int> exits(8, 0);
  for (const auto& ring : channels)
    for (std::size_t i = 0; i < ring.size(); ++i) {
      const std::size_t a = ring[i], b = ring[(i + 1) % ring.size()];
      if (a / 4 == b / 4) continue;
      CHECK(a % 4 == b % 4);
      ++exits[a];
    }
  CHECK(exits == std::vector<int>(8, 1));
}

TEST_CASE("a group inside one node, or unevenly spread, is one ring in its own order") {
  GroupLayout one;
  one.by_node = {{0, 1, 2}};
  one.uniform = true;
  CHECK(ring_channels(one, 3) == std::vector<std::vector<std::size_t>>{{0, 1, 2}});
  GroupLayout uneven;
  uneven.by_node = {{0, 1}, {2}};
  CHECK(ring_channels(uneven, 3).size() == 1);
}

TEST_CASE("ring connections spread over the configured queue pairs on Ethernet, not on InfiniBand") {
  CollectiveTuning tuning;
  tuning.ethernet_qps_per_connection = 4;
  for (const LinkKind link : {LinkKind::kEthernet, LinkKind::kInfiniBand}) {
    const Topology t = cluster("dgx_h100", 2, link);
    Router router(t);
    const std::vector<VertexId> group(t.gpus().begin(), t.gpus().end());
    const RingRoutes rings = ring_routes(router, group, tuning);
    const std::uint32_t qps = link == LinkKind::kEthernet ? 4 : 1;
    CHECK(rings.qps == qps);
    REQUIRE(rings.channels.size() == 8);
    for (const auto& channel : rings.channels) CHECK(channel.size() == 16 * qps);
  }
}
