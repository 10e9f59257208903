#include <catch2/catch.hpp>

#include <vector>

#include "topology/fabric_builder.hpp"
#include "topology/node_template.hpp"
#include "topology/replica_slots.hpp"

using namespace cs;

namespace {

Topology dgx_nodes(int nodes) {
  ClusterSpec spec;
  spec.node = node_preset("dgx_h100");
  spec.nodes = nodes;
  return build_cluster(spec);
}

}  // namespace

TEST_CASE("replica slots are TP groups inside each node, pp of them to a slot, in topology order") {
  const Topology t = dgx_nodes(1);
  REQUIRE(t.gpus().size() == 8);
  CHECK(replica_slots(t, 4, 1).size() == 2);  // 8 / 4
  CHECK(replica_slots(t, 2, 2).size() == 2);  // 4 TP pairs, 2 to a slot
  CHECK(replica_slots(t, 3, 1).size() == 2);  // 2 groups of 3; 2 GPUs left over
  CHECK(replica_slots(t, 8, 2).empty());      // 16 GPUs on 8
  const auto slots = replica_slots(t, 4, 1);
  CHECK(slots[0] == std::vector<VertexId>(t.gpus().begin(), t.gpus().begin() + 4));
  CHECK(slots[1] == std::vector<VertexId>(t.gpus().begin() + 4, t.gpus().end()));
}

TEST_CASE("a TP group never straddles two nodes while every node can hold one") {
  const Topology t = dgx_nodes(2);
  // TP 3 on two 8-GPU nodes: two groups per node (6 GPUs), the other 2 of each node unused.
  const auto slots = replica_slots(t, 3, 1);
  REQUIRE(slots.size() == 4);
  for (const auto& slot : slots) CHECK(t.vertex(slot.front()).node == t.vertex(slot.back()).node);
  // TP 16 is larger than a node: consecutive GPUs across both.
  CHECK(replica_slots(t, 16, 1).size() == 1);
}
