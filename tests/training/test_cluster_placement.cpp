#include <catch2/catch.hpp>

#include <set>

#include "sim/engine/engine.hpp"
#include "sim/training/cluster_inventory.hpp"
#include "sim/training/job_placement.hpp"
#include "topology/fabric_builder.hpp"
#include "topology/node_template.hpp"

using namespace cs;

namespace {

void take(ClusterInventory& inv, int node, int gpus) {
  for (int i = 0; i < gpus; ++i) inv.allocate(inv.node(node).first_gpu + i, ClusterInventory::kMilliPerGpu);
}

bool node_major_and_distinct(const Placement& p) {
  for (std::size_t i = 1; i < p.gpus.size(); ++i)
    if (p.gpus[i] <= p.gpus[i - 1]) return false;
  return true;
}

}  // namespace

TEST_CASE("fragmentation is the share of free GPUs on partly used nodes") {
  auto inv = ClusterInventory::uniform(2, 8, 2);
  CHECK(inv.fragmentation() == 0.0);
  inv.allocate(0, 1000);
  // 15 free GPUs, 8 of them on the empty node 1: 7/15 are fragmented.
  CHECK(inv.free_whole_gpus() == 15);
  CHECK(inv.free_gpus_on_empty_nodes() == 8);
  CHECK(inv.fragmentation() == Approx(7.0 / 15.0));
  inv.allocate(1, 300);  // a shared GPU counts as used
  CHECK(inv.free_whole_gpus() == 14);
  CHECK(inv.allocated_gpus() == 2);
  CHECK(inv.allocated_gpu_shares() == Approx(1.3));
  inv.release(0, 1000);
  inv.release(1, 300);
  CHECK(inv.fragmentation() == 0.0);
  CHECK(inv.nodes_with_free_at_least(8) == 2);
}

TEST_CASE("topology-aware placement picks the tightest node that holds the job") {
  auto inv = ClusterInventory::uniform(3, 8, 3);
  take(inv, 0, 5);  // 3 free
  take(inv, 2, 3);  // 5 free; node 1 has 8
  auto p = place_job(inv, {5, 1000, false, 1, {}, -1}, PlacementPolicy::kTopologyAware, nullptr);
  REQUIRE(p);
  CHECK(p->nodes_used == 1);
  CHECK(inv.node_of(p->gpus.front()) == 2);  // best fit: 5 free, not the empty node
  auto q = place_job(inv, {3, 1000, false, 1, {}, -1}, PlacementPolicy::kTopologyAware, nullptr);
  REQUIRE(q);
  CHECK(inv.node_of(q->gpus.front()) == 0);
  // Excluding node 2 sends the 5-GPU job to node 1.
  auto r = place_job(inv, {5, 1000, false, 1, {}, 2}, PlacementPolicy::kTopologyAware, nullptr);
  REQUIRE(r);
  CHECK(inv.node_of(r->gpus.front()) == 1);
}

TEST_CASE("topology-aware placement spans the fewest nodes and leaves, and random spreads out") {
  // 8 nodes of 8 GPUs, 2 nodes per leaf; one GPU taken on nodes 0, 2, 4 and 6 (the first node
  // of every leaf), so every leaf has 15 free GPUs.
  auto inv = ClusterInventory::uniform(8, 8, 2);
  for (int n = 0; n < 8; n += 2) take(inv, n, 1);
  const PlacementRequest req{15, 1000, false, 1, {}, -1};
  auto p = place_job(inv, req, PlacementPolicy::kTopologyAware, nullptr);
  REQUIRE(p);
  CHECK(p->gpus.size() == 15);
  CHECK(p->nodes_used == 2);   // a 15-GPU job needs two nodes at best
  CHECK(p->leaves_used == 1);  // ... and both in one leaf
  CHECK(node_major_and_distinct(*p));
  // 16 GPUs no longer fit in one leaf: two leaves, and there the two whole free nodes (1, 3).
  auto big = place_job(inv, {16, 1000, false, 1, {}, -1}, PlacementPolicy::kTopologyAware, nullptr);
  REQUIRE(big);
  CHECK(big->leaves_used == 2);
  CHECK(big->nodes_used == 2);
  CHECK(inv.node_of(big->gpus.front()) == 1);
  CHECK(inv.node_of(big->gpus.back()) == 3);
  Engine engine(7);
  auto& rng = engine.random("cluster_placement");
  int random_nodes = 0;
  for (int trial = 0; trial < 20; ++trial) {
    auto rnd = place_job(inv, req, PlacementPolicy::kRandom, &rng);
    REQUIRE(rnd);
    CHECK(rnd->gpus.size() == 15);
    CHECK(node_major_and_distinct(*rnd));
    CHECK(rnd->nodes_used >= 2);
    random_nodes += rnd->nodes_used;
  }
  // 15 of 60 free GPUs drawn at random land on ~7 of the 8 nodes on average.
  CHECK(random_nodes > 20 * 2);
}

TEST_CASE("placement keeps tensor-parallel groups inside nodes") {
  auto inv = ClusterInventory::uniform(3, 8, 3);
  take(inv, 0, 2);  // 6 free: only one 4-GPU group fits there
  take(inv, 1, 2);
  take(inv, 2, 2);
  auto p = place_job(inv, {12, 1000, false, 4, {}, -1}, PlacementPolicy::kTopologyAware, nullptr);
  REQUIRE(p);
  CHECK(p->nodes_used == 3);
  for (int n = 0; n < 3; ++n) {
    int on_node = 0;
    for (GpuIndex g : p->gpus) on_node += inv.node_of(g) == n ? 1 : 0;
    CHECK(on_node % 4 == 0);
  }
  CHECK_FALSE(place_job(inv, {16, 1000, false, 4, {}, -1}, PlacementPolicy::kTopologyAware, nullptr));
}

TEST_CASE("GPU-sharing pods are packed on the fullest GPU with room") {
  auto inv = ClusterInventory::uniform(2, 2, 1);
  inv.allocate(0, 500);  // 500 left
  inv.allocate(2, 800);  // 200 left
  auto p = place_job(inv, {1, 200, true, 1, {}, -1}, PlacementPolicy::kTopologyAware, nullptr);
  REQUIRE(p);
  CHECK(p->gpus == std::vector<GpuIndex>{2});
  auto q = place_job(inv, {1, 300, true, 1, {}, -1}, PlacementPolicy::kTopologyAware, nullptr);
  REQUIRE(q);
  CHECK(q->gpus == std::vector<GpuIndex>{0});
  auto w = place_job(inv, {1, 600, true, 1, {}, -1}, PlacementPolicy::kTopologyAware, nullptr);
  REQUIRE(w);
  CHECK(w->gpus == std::vector<GpuIndex>{1});  // a whole GPU on the fuller node
  CHECK(inv.any_gpu_with_free(500));
}

TEST_CASE("an inventory from a topology finds each node's GPUs and leaf switch") {
  ClusterSpec spec;
  spec.node = node_preset("dgx_h100");
  spec.nodes = 4;
  spec.fabric.kind = FabricKind::kLeafSpine;
  spec.fabric.leaf_ports = 16;  // two 8-NIC nodes per leaf
  const Topology topo = build_cluster(spec);
  const auto inv = ClusterInventory::from_topology(topo);
  CHECK(inv.node_count() == 4);
  CHECK(inv.gpu_count() == 32);
  CHECK(inv.leaf_count() == 2);
  CHECK(inv.node(0).leaf == inv.node(1).leaf);
  CHECK(inv.node(1).leaf != inv.node(2).leaf);
  CHECK(topo.vertex(inv.vertex_of(9)).node == 1);
  CHECK(topo.vertex(inv.vertex_of(9)).kind == VertexKind::kGpu);
}

TEST_CASE("a job that no node could ever hold is recognised") {
  const auto inv = ClusterInventory::uniform(4, 8, 2);
  CHECK(can_ever_fit(inv, {32, 1000, false, 1, {}, -1}));
  CHECK_FALSE(can_ever_fit(inv, {33, 1000, false, 1, {}, -1}));
  CHECK_FALSE(can_ever_fit(inv, {9, 1000, true, 1, {}, -1}));
  CHECK_FALSE(can_ever_fit(inv, {8, 1000, false, 1, "a100", -1}));
}
