#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "../scenario/scenario_test_files.hpp"
#include "serving_pool_yaml.hpp"
#include "sim/network/fabric.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/simulation/replica_placement.hpp"
#include "sim/simulation/replica_traffic.hpp"
#include "sim/training/network_speed_model.hpp"
#include "sim/training/rank_layout.hpp"
#include "tests/llm/catalog_fixture.hpp"
#include "topology/fabric_builder.hpp"

using namespace cs;

namespace {

// 4 DGX A100 on InfiniBand leaves of 16 ports (nodes 0 and 1 on leaf 0, nodes 2 and 3 on
// leaf 1), 2:1 oversubscribed: each leaf has 8 uplinks of one HDR NIC's 25 GB/s, one per spine.
TopologySpec oversubscribed_pair_of_leaves() {
  ClusterSpec c;
  c.node = node_preset("dgx_a100");
  c.nodes = 4;
  c.fabric.kind = FabricKind::kLeafSpine;
  c.fabric.link_kind = LinkKind::kInfiniBand;
  c.fabric.leaf_ports = 16;
  c.fabric.oversubscription = 2.0;
  TopologySpec t;
  t.layout = c;
  return t;
}

// Llama 2 7B, TP 8 x DP 2, one 2,048-token sequence per DP rank per step: a step is mostly its
// gradient all-reduce, so its time-average DP traffic is over half an HDR link.
TrainingJobSpec dp_heavy_job() {
  TrainingJobSpec s;
  s.name = "llama-7b-dp2";
  s.model = testing::model("llama-2-7b");
  s.gpu = testing::gpu("a100-80gb-sxm");
  s.precision = precision_for(Dtype::kBf16);
  s.global_batch_sequences = 2;
  s.sequence_length = 2048;
  s.token_budget = 1e9;
  s.parallel.tp = 8;
  s.parallel.dp = 2;
  s.parallel.zero_stage = 0;
  s.parallel.overlap_dp_communication = false;
  return s;
}

std::vector<VertexId> gpus_of_node(const Topology& t, int node) {
  std::vector<VertexId> out;
  for (const VertexId g : t.gpus())
    if (t.vertex(g).node == node) out.push_back(g);
  return out;
}

// The training job on nodes 0 and 2: its 8 DP rings (one per GPU index) each cross the spine,
// one per uplink of leaf 0 and of leaf 1 (InfiniBand D-mod-K spreads the destinations).
std::vector<VertexId> training_ranks(const Topology& topo, const TrainingJobSpec& spec) {
  std::vector<VertexId> ranks = gpus_of_node(topo, 0);
  for (const VertexId g : gpus_of_node(topo, 2)) ranks.push_back(g);
  return order_ranks(topo, ranks, spec.parallel);
}

// One 2-rank ring all-reduce of `bytes` between GPU 0 of node 1 and GPU 0 of node 3 on the
// fabric, alone or beside whatever it already carries; returns its seconds.
double all_reduce_seconds(Fabric& fabric, double bytes) {
  const Topology& t = fabric.topology();
  const CollectiveRequest r{CollectiveOp::kAllReduce,
                            {gpus_of_node(t, 1).front(), gpus_of_node(t, 3).front()},
                            bytes,
                            CollectiveAlgorithm::kRing,
                            0};
  double seconds = 0;
  fabric.collectives().on_complete.connect([&](const CollectiveRecord& rec) { seconds = rec.seconds(); });
  fabric.collectives().start(r);
  fabric.engine().run_until(fabric.engine().now() + Time::s(30));
  return seconds;
}

}  // namespace

TEST_CASE(
    "a training job's DP all-reduce, a collective job and a serving replica meet on the same spine links of one "
    "fabric, sharing them max-min") {
  const TrainingJobSpec spec = dp_heavy_job();
  const double C = 25e9 * 0.94;  // an HDR link's achievable bytes/s (InfiniBand efficiency 0.94)
  const double bytes = 4e9;      // the collective job's all-reduce: bandwidth-bound (latency < 0.01%)

  // The collective alone: a 2-rank ring sends `bytes` each way over one uplink per leaf.
  Engine alone_engine(1);
  Fabric alone(alone_engine, oversubscribed_pair_of_leaves());
  const double t_alone = all_reduce_seconds(alone, bytes);
  CHECK(t_alone == Approx(bytes / C).epsilon(0.002));

  Engine engine(1);
  Fabric fabric(engine, oversubscribed_pair_of_leaves());
  const Topology& topo = fabric.topology();
  NetworkSpeedModel speed(topo, fabric.efficiency());
  speed.carry_on(fabric.network());
  const std::vector<VertexId> ranks = training_ranks(topo, spec);
  const RunningTrainingJob job{1, &spec, ranks};
  const double iteration_s = speed.iterations({&job, 1})[0].total_s();
  engine.run_until(Time::ms(1));
  // Its demand: each ring edge carries 2(n-1)/n x S = S per step (n = 2), so S / step per member.
  const double S = dp_gradient_bytes(spec);
  const double demand = S / iteration_s;
  std::printf("training: S %.3g B, step %.4f s, demand %.3g B/s = %.2f of a link\n", S, iteration_s, demand,
              demand / C);
  REQUIRE(demand > C / 2);  // the regime where the collective and training each hold the other back
  REQUIRE(demand < C);
  const FlowId standing = speed.standing_flow(1);
  REQUIRE(fabric.network().active(standing));
  CHECK(fabric.network().rate(standing) == Approx(demand));  // alone: all it asks for
  int uplinks = 0;
  for (std::size_t l = 0; l < topo.link_count(); ++l) {
    const LinkInfo& info = topo.link(static_cast<LinkId>(l));
    if (info.kind != LinkKind::kInfiniBand || topo.vertex(info.from).kind != VertexKind::kNetworkSwitch ||
        topo.vertex(info.to).kind != VertexKind::kNetworkSwitch || fabric.network().link_flow_count(static_cast<LinkId>(l)) == 0)
      continue;
    ++uplinks;
    CHECK(fabric.network().link_rate(static_cast<LinkId>(l)) == Approx(demand));
  }
  CHECK(uplinks == 32);  // 8 up and 8 down each side of the spine, both directions of the rings

  // A serving replica with stages on nodes 1 and 3 (TP 4 on GPUs 4-7 of each): its PP hand-off
  // is priced at placement by the fabric's cost model, which splits each link of its route
  // equally among the members crossing it (the training ring's and its own).
  const VertexId stage0 = gpus_of_node(topo, 1)[4], stage1 = gpus_of_node(topo, 3)[4];
  const VertexId pair[2] = {stage0, stage1};
  std::size_t busiest = 0;
  for (const LinkId l : fabric.router().path(fabric.router().route_id(stage0, stage1, 0)).links)
    busiest = std::max(busiest, fabric.network().link_flow_count(l));
  REQUIRE(busiest == 1);  // one training ring on its uplink
  const double handoff = 1e9;
  Engine idle_engine(1);
  Fabric idle(idle_engine, oversubscribed_pair_of_leaves());
  const double pp_idle =
      idle.cost_model().estimate_seconds(CollectiveOp::kSendRecv, CollectiveAlgorithm::kAuto, pair, handoff);
  const double pp_loaded =
      fabric.cost_model().estimate_seconds(CollectiveOp::kSendRecv, CollectiveAlgorithm::kAuto, pair, handoff);
  CHECK(pp_loaded / pp_idle == Approx(2.0).epsilon(0.005));  // C/2 instead of C

  // The collective job beside the training job: on each shared uplink the training ring asks
  // for more than half, the collective for all, so max-min gives each C/2. The training class
  // moves in lockstep, so all its rings run at C/2 (slowed from `demand`), and the collective
  // takes twice as long as alone.
  double t_shared = 0;
  fabric.collectives().on_complete.connect([&](const CollectiveRecord& rec) { t_shared = rec.seconds(); });
  fabric.collectives().start({CollectiveOp::kAllReduce,
                              {gpus_of_node(topo, 1).front(), gpus_of_node(topo, 3).front()},
                              bytes,
                              CollectiveAlgorithm::kRing,
                              0});
  engine.run_until(engine.now() + Time::ms(1));
  CHECK(fabric.network().rate(standing) == Approx(C / 2));
  engine.run_until(engine.now() + Time::s(30));
  REQUIRE(t_shared > 0);
  CHECK(t_shared / t_alone == Approx(C / (C - std::min(demand, C / 2))).epsilon(0.002));
  CHECK(t_shared / t_alone == Approx(2.0).epsilon(0.002));
  // The collective gone, training's rings get their demand back.
  CHECK(fabric.network().rate(standing) == Approx(demand));

  // The job stops (the scheduler re-times an empty set): its traffic leaves the fabric.
  speed.iterations({});
  engine.run_until(engine.now() + Time::ms(1));
  CHECK_FALSE(fabric.network().active(standing));
  CHECK(fabric.network().active_flows() == 0);
}

TEST_CASE("a serving replica spanning nodes and a training DP all-reduce share a spine uplink, each held to half") {
  const TrainingJobSpec spec = dp_heavy_job();
  const double C = 25e9 * 0.94;  // an HDR link's achievable bytes/s
  Engine engine(1);
  Fabric fabric(engine, oversubscribed_pair_of_leaves());
  NetworkSpeedModel speed(fabric.topology(), fabric.efficiency());
  speed.carry_on(fabric.network());
  const std::vector<VertexId> ranks = training_ranks(fabric.topology(), spec);
  const RunningTrainingJob job{1, &spec, ranks};
  const Topology& topo = fabric.topology();
  const double demand = dp_gradient_bytes(spec) / speed.iterations({&job, 1})[0].total_s();
  REQUIRE(demand > C / 2);
  const FlowId training = speed.standing_flow(1);

  // Llama 2 70B as TP4 x PP2 on GPUs 4-7 of nodes 1 and 3: only its stage hand-off leaves a
  // node, 8,192 x 2 bytes per token from GPU 4 of node 1 to GPU 4 of node 3, whose route
  // crosses one of the training rings' uplinks (the test above).
  const auto node1 = gpus_of_node(topo, 1), node3 = gpus_of_node(topo, 3);
  std::vector<VertexId> replica(node1.begin() + 4, node1.end());
  replica.insert(replica.end(), node3.begin() + 4, node3.end());
  const TransformerCost cost(testing::model("llama-2-70b"), precision_for(Dtype::kBf16), ParallelPlan{4, 2, 1, 1});
  ReplicaTraffic traffic(fabric, cost, replica);
  REQUIRE(traffic.crosses_nodes());
  const auto route = fabric.router().route(replica[0], replica[4]).links;
  REQUIRE(traffic.link_bytes_per_token().size() == route.size());
  for (const auto& [l, bytes] : traffic.link_bytes_per_token()) CHECK(bytes == 8192.0 * 2);

  // An iteration of 1M tokens in 1 s asks for 16.4 GB/s on its route: more than half a link,
  // as training does, so max-min gives each C/2 on the shared uplink.
  traffic.iteration(1'000'000, Time{}, Time::s(1));
  engine.run_until(engine.now() + Time::ms(1));
  const double asked = 16384.0 * 1e6;
  REQUIRE(asked > C / 2);
  CHECK(fabric.network().rate(traffic.flow()) == Approx(C / 2));
  CHECK(fabric.network().rate(training) == Approx(C / 2));
  // The replica's collectives slow by what it would get alone (its demand, the route's links
  // being faster) over C/2.
  double alone = asked;
  for (const LinkId l : route) alone = std::min(alone, fabric.network().capacity(l));
  CHECK(alone == asked);
  CHECK(traffic.slowdown() == Approx(asked / (C / 2)));
  // A rate within 10% of the carried one keeps the class; the replica idle, training gets its
  // demand back.
  const FlowHandle carried = traffic.flow();
  traffic.iteration(950'000, Time::s(1), Time::s(2));
  CHECK(traffic.flow() == carried);
  traffic.idle();
  engine.run_until(engine.now() + Time::ms(1));
  CHECK_FALSE(fabric.network().active(carried));
  CHECK(traffic.slowdown() == 1);
  CHECK(fabric.network().rate(training) == Approx(demand));
}

namespace {

// The job's ranks on nodes `first` and `second` (a pipeline's stage 0 and 1), ordered for its
// parallelism.
std::vector<VertexId> ranks_on(const Topology& topo, const TrainingJobSpec& spec, int first, int second) {
  std::vector<VertexId> ranks = gpus_of_node(topo, first);
  for (const VertexId g : gpus_of_node(topo, second)) ranks.push_back(g);
  return order_ranks(topo, ranks, spec.parallel);
}

// The DP-heavy job on two leaves of four nodes whose uplinks are shared, timed by the one
// fabric's speed model as a run builds it.
struct DpOnSharedUplinks {
  const TrainingJobSpec spec = dp_heavy_job();
  const double C = 25e9 * 0.94;  // an HDR link's achievable bytes/s
  const double S = dp_gradient_bytes(spec);
  Engine engine{1};
  Fabric fabric{engine, oversubscribed_pair_of_leaves()};
  const Topology& topo = fabric.topology();
  NetworkSpeedModel speed{fabric, CollectiveAlgorithm::kRing};
};

}  // namespace

TEST_CASE_METHOD(
    DpOnSharedUplinks,
    "two DP jobs whose rings share the leaf uplinks each get half a link on the one fabric: the bandwidth term of "
    "their reduction doubles, its latency terms do not") {
  // Job 1 on nodes 0 and 2, job 2 on nodes 1 and 3 (TP 8, DP 2): each of a job's 8 rings (one
  // per GPU index, one channel: one rank per node) crosses the spine. D-mod-K sends GPU i of
  // node 2 and of node 3 up the same uplink of leaf 0 (and back alike), so ring i of each job
  // shares uplink i: alone a ring member gets the whole link, C; together max-min gives C/2.
  const std::vector<VertexId> a = ranks_on(topo, spec, 0, 2), b = ranks_on(topo, spec, 1, 3);
  const RunningTrainingJob jobs[2] = {{1, &spec, a}, {2, &spec, b}};

  speed.iterations({jobs, 1});
  const TrainingIterationResult alone = speed.last_results()[0];
  REQUIRE(speed.dp_rate(1));
  CHECK(speed.dp_rate(1)->alone == Approx(C));
  CHECK(speed.dp_rate(1)->granted == Approx(C));
  // A 2-rank ring all-reduce sends 2(n-1)/n x S = S per member: alone S / C plus its latency
  // terms (launch, protocol base and step latencies: well under 1%), exactly the idle price.
  CHECK(alone.dp_comm_s == speed.results({jobs, 1})[0].dp_comm_s);
  CHECK(alone.dp_comm_s == Approx(S / C).epsilon(0.01));
  const double latency_terms = alone.dp_comm_s - S / C;
  CHECK(latency_terms > 0);
  engine.run_until(Time::ms(1));

  speed.iterations(jobs);
  for (std::size_t j = 0; j < 2; ++j) {
    REQUIRE(speed.dp_rate(jobs[j].job_id));
    CHECK(speed.dp_rate(jobs[j].job_id)->granted == Approx(C / 2));
    const TrainingIterationResult& shared = speed.last_results()[j];
    CHECK(shared.dp_comm_s == Approx(S / (C / 2) + latency_terms));
    // Nothing else changes: the iteration grows by exactly the extra reduction time.
    CHECK(shared.iteration_s - alone.iteration_s == Approx(shared.dp_comm_s - alone.dp_comm_s).epsilon(1e-9));
  }
  // The probes are gone; the jobs' standing (time-average) classes are what is left.
  engine.run_until(engine.now() + Time::ms(1));
  CHECK(fabric.network().active_flows() == 2);
  // Asked again for the same running set: each job's result alone comes from the cache.
  speed.iterations(jobs);
  CHECK(speed.evaluations() == 2);
}

TEST_CASE_METHOD(
    DpOnSharedUplinks,
    "a DP job re-timed while a collective job and then a serving replica hold one of its uplinks slows by the "
    "max-min share it is granted") {
  const std::vector<VertexId> ranks = training_ranks(topo, spec);
  const RunningTrainingJob job{1, &spec, ranks};
  const double idle = speed.results({&job, 1})[0].dp_comm_s;

  // A collective job's 2-rank ring between GPU 0 of nodes 1 and 3 crosses ring 0's uplinks and
  // asks for all of them: with the training class's probe asking C as well, each gets C/2, and
  // the reduction's S bytes per member take S / (C/2) instead of S / C.
  fabric.collectives().start({CollectiveOp::kAllReduce,
                              {gpus_of_node(topo, 1).front(), gpus_of_node(topo, 3).front()},
                              40e9,
                              CollectiveAlgorithm::kRing,
                              0});
  engine.run_until(Time::ms(1));
  speed.iterations({&job, 1});
  REQUIRE(speed.dp_rate(1));
  CHECK(speed.dp_rate(1)->granted == Approx(C / 2));
  CHECK(speed.last_results()[0].dp_comm_s - idle == Approx(S / (C / 2) - S / C));
  engine.run_until(engine.now() + Time::s(10));  // the collective ends
  REQUIRE(fabric.collectives().running() == 0);

  // A serving replica (Llama 2 70B, TP4 x PP2 on GPUs 4-7 of nodes 1 and 3) whose stage
  // hand-off asks 16.4 GB/s, over half a link, on one of the rings' uplinks: C/2 again. Asking
  // less than half, it would leave the class C - its rate.
  const auto node1 = gpus_of_node(topo, 1), node3 = gpus_of_node(topo, 3);
  std::vector<VertexId> replica(node1.begin() + 4, node1.end());
  replica.insert(replica.end(), node3.begin() + 4, node3.end());
  const TransformerCost cost(testing::model("llama-2-70b"), precision_for(Dtype::kBf16), ParallelPlan{4, 2, 1, 1});
  ReplicaTraffic traffic(fabric, cost, replica);
  traffic.iteration(1'000'000, engine.now(), engine.now() + Time::s(1));
  engine.run_until(engine.now() + Time::ms(1));
  speed.iterations({&job, 1});
  CHECK(speed.dp_rate(1)->granted == Approx(C / 2));
  CHECK(speed.last_results()[0].dp_comm_s - idle == Approx(S / (C / 2) - S / C));
  traffic.iteration(500'000, engine.now(), engine.now() + Time::s(1));  // 8.2 GB/s: under half
  engine.run_until(engine.now() + Time::ms(1));
  speed.iterations({&job, 1});
  const double serving = 5e5 * 16384.0;
  CHECK(speed.dp_rate(1)->granted == Approx(C - serving));
  CHECK(speed.last_results()[0].dp_comm_s - idle == Approx(S / (C - serving) - S / C));
  // The replica idle, the job's reduction is back at its idle price exactly.
  traffic.idle();
  engine.run_until(engine.now() + Time::ms(1));
  speed.iterations({&job, 1});
  CHECK(speed.last_results()[0].dp_comm_s == idle);
}

namespace {

// Llama 2 70B as one TP16 replica on two DGX H100 joined by one 100 GbE switch (the replica
// spans both nodes: 16 GPUs in topology order).
Scenario tp16_on_two_nodes(const test::TempDir& dir) {
  return load_scenario(
      dir.write("tp16.yaml", test::pool_yaml("llama-2-70b", "  tp: 16\n  engine: roofline\n",
                                             "  node: dgx_h100\n  nodes: 2\n  fabric: {kind: "
                                             "single_switch, link: ethernet, bandwidth: 100 Gbps}\n")));
}

}  // namespace

TEST_CASE(
    "a serving replica spanning nodes, alone on the fabric, is priced at exactly its idle cost, its TP rings spread "
    "over every NIC of its nodes") {
  test::TempDir dir;
  const Scenario scenario = tp16_on_two_nodes(dir);
  const ServingPoolSpec& pool = scenario.serving_pools.at(0);
  Engine engine(1);
  Fabric fabric(engine, scenario.network->topology, scenario.network->tuning);
  const Topology& topo = fabric.topology();
  ReplicaPlacement placement(pool, topo, fabric.cost_model());
  REQUIRE(placement.slots() == 1);
  const std::vector<VertexId> gpus = placement.gpus_of(0);
  // A decode step of 32 sequences over 1,000 cached tokens each, priced before any traffic.
  BatchShape decode;
  decode.decode_sequences = 32;
  decode.decode_context_tokens = 32 * 1000;
  const Time idle = placement.cost_for(0)->iteration_time(decode);

  const TransformerCost cost(pool.model, pool.precision, pool.plan);
  ReplicaTraffic traffic(fabric, cost, gpus);
  REQUIRE(traffic.crosses_nodes());
  // NCCL's rings for 16 ranks on 2 nodes of 8 NICs: 8 channels, each leaving each node once on
  // its own rail, so every GPU's NIC uplink carries 1/8 of a ring edge: per token, 2 all-reduces
  // x 80 layers x 2 x 15/16 x 8,192 x 2 bytes / 8 (no stages, no experts).
  const double edge = 2 * 80 * 2.0 * 15 / 16 * 8192 * 2;
  int uplinks = 0;
  for (const auto& [l, bytes] : traffic.link_bytes_per_token()) {
    const LinkInfo& info = topo.link(l);
    if (topo.vertex(info.from).kind != VertexKind::kNic || topo.vertex(info.to).kind != VertexKind::kNetworkSwitch)
      continue;
    ++uplinks;
    CHECK(bytes == Approx(edge / 8));
  }
  CHECK(uplinks == 16);

  // 2,000 tokens a second: 1.23 GB/s on each uplink, a tenth of its 12.5 GB/s line rate:
  // carried in full, the replica's own class on every link its rings cross.
  traffic.iteration(2'000, Time{}, Time::s(1));
  engine.run_until(Time::ms(1));
  REQUIRE(fabric.network().active(traffic.flow()));
  CHECK(fabric.network().rate(traffic.flow()) == Approx(2'000 * edge / 8));
  CHECK(traffic.slowdown() == 1);
  // The loaded cost model sees the replica's own members on its links and would price its
  // all-reduce slower: that is the replica's traffic counted twice.
  const double bytes = 32.0 * 8192 * 2;
  const double on_loaded =
      fabric.cost_model().estimate_seconds(CollectiveOp::kAllReduce, CollectiveAlgorithm::kAuto, gpus, bytes);
  const double on_idle =
      fabric.idle_cost_model().estimate_seconds(CollectiveOp::kAllReduce, CollectiveAlgorithm::kAuto, gpus, bytes);
  CHECK(on_loaded > on_idle);
  // Priced on the idle model times slowdown() (1 alone): exactly the price before its traffic.
  const auto contended =
      placement.contended_cost(gpus, fabric.idle_cost_model(), [&traffic] { return traffic.slowdown(); });
  CHECK(contended->iteration_time(decode) == idle);
}

namespace {

// Llama 2 7B as TP8 x PP2 (one stage per DGX A100 node), eight 4,096-token micro-batches of one
// sequence: every hand-off is one TP rank's 4,096 x 4,096 x 2 / 8 bytes, 4 MiB, over its own NIC.
TrainingJobSpec pipeline_job() {
  TrainingJobSpec s = dp_heavy_job();
  s.name = "llama-7b-pp2";
  s.sequence_length = 4096;
  s.global_batch_sequences = 8;
  s.parallel.tp = 8;
  s.parallel.pp = 2;
  s.parallel.dp = 1;
  s.parallel.micro_batch_size = 1;
  return s;
}


}  // namespace

TEST_CASE(
    "two training jobs whose pipeline hand-offs share the spine uplinks each get half of a link, and each hand-off's "
    "bytes take twice their time at the link's rate") {
  const TrainingJobSpec spec = pipeline_job();
  const double C = 25e9 * 0.94;  // an HDR link's achievable bytes/s
  const double send = 4096.0 * 4096 * 2 / 8;
  REQUIRE(pp_handoff_bytes(spec) == Approx(8 * send));  // 8 micro-batches, one chunk

  Engine engine(1);
  Fabric fabric(engine, oversubscribed_pair_of_leaves());
  const Topology& topo = fabric.topology();
  NetworkSpeedModel speed(topo, fabric.efficiency(), fabric.tuning());
  speed.carry_on(fabric.network());
  // Job 1 from node 0 to node 2, job 2 from node 1 to node 3: D-mod-K sends GPU i of node 2 and
  // GPU i of node 3 up the same uplink of leaf 0 (and back alike), so rank i of each job shares
  // uplink i both ways; each job alone has one send per link.
  const std::vector<VertexId> a = ranks_on(topo, spec, 0, 2), b = ranks_on(topo, spec, 1, 3);
  const RunningTrainingJob jobs[2] = {{1, &spec, a}, {2, &spec, b}};

  const double alone_s = speed.iterations({jobs, 1})[0].total_s();
  const TrainingIterationResult alone = speed.last_results()[0];
  REQUIRE(speed.handoff_rate(1));
  CHECK(speed.handoff_rate(1)->alone == Approx(C));
  CHECK(speed.handoff_rate(1)->granted == Approx(C));
  // Alone on the fabric: exactly the idle result.
  const TrainingIterationResult idle = speed.results({jobs, 1})[0];
  CHECK(alone.pp_transfer_s == idle.pp_transfer_s);
  CHECK(alone_s == idle.breakdown.total_s());
  engine.run_until(Time::ms(1));

  const std::vector<IterationBreakdown> both = speed.iterations(jobs);
  for (const std::uint64_t id : {1, 2}) {
    REQUIRE(speed.handoff_rate(id));
    CHECK(speed.handoff_rate(id)->alone == Approx(C));
    CHECK(speed.handoff_rate(id)->granted == Approx(C / 2));
  }
  // Each send at C/2 instead of C: send / C more, per hand-off.
  for (std::size_t j = 0; j < 2; ++j) {
    CHECK(speed.last_results()[j].pp_transfer_s - alone.pp_transfer_s == Approx(send / C));
    CHECK(both[j].total_s() > alone_s);
  }
  // The bytes' time at the link's rate doubles (send / C alone, send / (C/2) beside the other
  // job); the send's fixed costs (launch, protocol latency and overhead) do not grow.
  const VertexId pair[2] = {a[0], a[8]};
  const double idle_send =
      fabric.idle_cost_model().estimate_seconds(CollectiveOp::kSendRecv, CollectiveAlgorithm::kDirect, pair, send);
  std::printf("PP send alone %.1f us (%.1f at the link's rate), beside the other job %.1f us\n", idle_send * 1e6,
              send / C * 1e6, (idle_send + send / C) * 1e6);
  CHECK(idle_send > send / C);
  CHECK(idle_send + send / C == Approx(idle_send - send / C + send / (C / 2)));
  // The probes are gone: nothing of the hand-offs is left on the network but the jobs' standing
  // traffic (their time-average hand-offs).
  engine.run_until(engine.now() + Time::ms(1));
  CHECK(fabric.network().active_flows() == 2);
}

TEST_CASE("a training job's pipeline hand-offs beside a serving replica's on one uplink get what max-min leaves them") {
  const TrainingJobSpec spec = pipeline_job();
  const double C = 25e9 * 0.94;  // an HDR link's achievable bytes/s
  const double send = 4096.0 * 4096 * 2 / 8;
  Engine engine(1);
  Fabric fabric(engine, oversubscribed_pair_of_leaves());
  const Topology& topo = fabric.topology();
  NetworkSpeedModel speed(topo, fabric.efficiency(), fabric.tuning());
  speed.carry_on(fabric.network());
  const std::vector<VertexId> ranks = ranks_on(topo, spec, 0, 2);
  const RunningTrainingJob job{1, &spec, ranks};
  const TrainingIterationResult idle = speed.results({&job, 1})[0];

  // Llama 2 70B as TP4 x PP2 on GPUs 4-7 of nodes 1 and 3: its hand-off from GPU 4 of node 1
  // to GPU 4 of node 3 goes up leaf 0's uplink 4, as the job's rank 4 does to GPU 4 of node 2.
  const auto node1 = gpus_of_node(topo, 1), node3 = gpus_of_node(topo, 3);
  std::vector<VertexId> replica(node1.begin() + 4, node1.end());
  replica.insert(replica.end(), node3.begin() + 4, node3.end());
  const TransformerCost cost(testing::model("llama-2-70b"), precision_for(Dtype::kBf16), ParallelPlan{4, 2, 1, 1});
  ReplicaTraffic traffic(fabric, cost, replica);
  // A quarter of a link: 16,384 bytes per token.
  traffic.iteration(static_cast<std::int64_t>(C / 4 / 16384), Time{}, Time::s(1));
  engine.run_until(Time::ms(1));
  const double serving = fabric.network().rate(traffic.flow());
  REQUIRE(serving == Approx(C / 4).epsilon(1e-4));

  // The job's hand-offs ask for the whole uplink, the replica holds a quarter: max-min leaves
  // them C - C/4, and every send of the job moves at that pace (one class, one rate).
  speed.iterations({&job, 1});
  REQUIRE(speed.handoff_rate(1));
  CHECK(speed.handoff_rate(1)->alone == Approx(C));
  CHECK(speed.handoff_rate(1)->granted == Approx(C - serving));
  CHECK(speed.last_results()[0].pp_transfer_s - idle.pp_transfer_s ==
        Approx(send * (1 / (C - serving) - 1 / C)));
  // The replica's traffic had its rate back when the probe left.
  CHECK(fabric.network().rate(traffic.flow()) == Approx(serving));
}

TEST_CASE(
    "a DP job's reduction on the one fabric takes as long as its rings run together as flows, under static ECMP "
    "(colliding) and under adaptive routing (spread)") {
  // 8 DGX A100 on a RoCE fat-tree, one job over all 64 GPUs: TP 8 inside each node, 8 DP rings
  // (one per GPU index) across the 8 nodes. The static ECMP hash puts several rings' edges on
  // some fabric links; adaptive routing spreads them, as the fabric does any flow's.
  TrainingJobSpec spec = dp_heavy_job();
  spec.parallel.dp = 8;
  spec.global_batch_sequences = 8;
  struct Timing {
    double on_fabric = 0;  // the speed model's DP reduction on the one fabric
    double one_group = 0;  // one ring alone, as the cost model prices it
    double as_flows = 0;   // the slowest of the 8 all-reduces run together as flows
  };
  auto timed = [&spec](bool adaptive) {
    ClusterSpec c;
    c.node = node_preset("dgx_a100");
    c.nodes = 8;
    c.fabric.kind = FabricKind::kFatTree;
    c.fabric.link_kind = LinkKind::kEthernet;
    c.fabric.adaptive_routing = adaptive;
    TopologySpec topology;
    topology.layout = c;
    Timing t;
    Engine engine(1);
    Fabric fabric(engine, topology);
    NetworkSpeedModel speed(fabric, CollectiveAlgorithm::kRing);
    const std::vector<VertexId> ranks = order_ranks(
        fabric.topology(), {fabric.topology().gpus().begin(), fabric.topology().gpus().end()}, spec.parallel);
    const RunningTrainingJob job{1, &spec, ranks};
    speed.iterations({&job, 1});
    t.on_fabric = speed.last_results()[0].dp_comm_s;
    TrainingIterationModel one(fabric.topology(), fabric.idle_cost_model(), fabric.tuning(),
                               CollectiveAlgorithm::kRing);
    t.one_group = one.time(spec, ranks).dp_comm_s;

    Engine flow_engine(1);
    Fabric flows(flow_engine, topology);
    flows.collectives().on_complete.connect(
        [&t](const CollectiveRecord& r) { t.as_flows = std::max(t.as_flows, r.seconds()); });
    for (const auto& group : rank_layout(spec.parallel, ranks).dp_groups)
      flows.collectives().start({CollectiveOp::kAllReduce, group, dp_gradient_bytes(spec), CollectiveAlgorithm::kRing, 0});
    flow_engine.run();
    std::printf("DP x8 on a RoCE fat-tree, %s routing: reduction %.4f s on the fabric, %.4f s as flows, one ring "
                "alone %.4f s\n",
                adaptive ? "adaptive" : "static", t.on_fabric, t.as_flows, t.one_group);
    return t;
  };
  const Timing fixed = timed(false), adaptive = timed(true);
  CHECK(fixed.on_fabric == Approx(fixed.as_flows).epsilon(0.01));
  CHECK(adaptive.on_fabric == Approx(adaptive.as_flows).epsilon(0.01));
  // Alone, a ring finds idle paths either way; together, the hash doubles some links' load.
  CHECK(fixed.one_group == Approx(adaptive.one_group));
  CHECK(fixed.on_fabric > 2 * fixed.one_group);
  CHECK(adaptive.on_fabric == adaptive.one_group);
}
