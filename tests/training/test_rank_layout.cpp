#include <algorithm>
#include <catch2/catch.hpp>
#include <random>

#include "sim/training/rank_layout.hpp"
#include "topology/fabric_builder.hpp"

using namespace cs;

namespace {
Topology four_dgx() {
  ClusterSpec c;
  c.node = node_preset("dgx_a100");
  c.nodes = 4;
  c.fabric.kind = FabricKind::kSingleSwitch;
  return build_cluster(c);
}
std::string name(const Topology& t, VertexId v) {
  return t.vertex(v).name;
}
}  // namespace

TEST_CASE("allocated GPUs in any order become node-major ranks with TP groups inside a node") {
  const Topology topo = four_dgx();
  std::vector<VertexId> shuffled(topo.gpus().begin(), topo.gpus().end());
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(7));
  TrainingParallelism plan;
  plan.tp = 4;
  plan.pp = 2;
  plan.dp = 4;
  const std::vector<VertexId> ranks = order_ranks(topo, shuffled, plan);
  const RankLayout l = rank_layout(plan, ranks);
  REQUIRE(l.tp_groups.size() == 8);
  REQUIRE(l.dp_groups.size() == 8);
  // rank = ((dp x pp) + stage) x tp + tp_index: replica 0 stage 0 = n0.gpu0-3, stage 1 = n0.gpu4-7.
  CHECK(name(topo, l.tp_groups[0][0]) == "n0.gpu0");
  CHECK(name(topo, l.tp_groups[0][3]) == "n0.gpu3");
  CHECK(name(topo, l.tp_groups[1][0]) == "n0.gpu4");
  CHECK(name(topo, l.next_stage(0, 0, 2)) == "n0.gpu6");
  // DP group of stage 0, TP index 1: rank 1 of every replica, one per node.
  std::vector<std::string> dp;
  for (VertexId g : l.dp_groups[1]) dp.push_back(name(topo, g));
  CHECK(dp == std::vector<std::string>{"n0.gpu1", "n1.gpu1", "n2.gpu1", "n3.gpu1"});
  for (const auto& g : l.tp_groups)
    for (VertexId v : g) CHECK(topo.vertex(v).node == topo.vertex(g.front()).node);
}

TEST_CASE("a TP group larger than a node or straddling two nodes is refused") {
  const Topology topo = four_dgx();
  TrainingParallelism plan;
  plan.tp = 16;
  plan.dp = 2;
  CHECK_THROWS_AS(order_ranks(topo, topo.gpus(), plan), std::invalid_argument);
  // tp = 8 on four GPUs of node 0 and four of node 1.
  std::vector<VertexId> split(topo.gpus().begin() + 4, topo.gpus().begin() + 12);
  plan.tp = 8;
  plan.dp = 1;
  CHECK_THROWS_AS(order_ranks(topo, split, plan), std::invalid_argument);
  // The wrong GPU count for the plan.
  plan.dp = 2;
  CHECK_THROWS_AS(rank_layout(plan, split), std::invalid_argument);
}
