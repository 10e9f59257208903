#include <catch2/catch.hpp>
#include <cstdio>

#include "sim/training/network_speed_model.hpp"
#include "sim/training/rank_layout.hpp"
#include "sim/training/training_iteration.hpp"
#include "tests/llm/catalog_fixture.hpp"
#include "tests/training/gpt3_megatron_job.hpp"
#include "topology/fabric_builder.hpp"

using namespace cs;
using cs::testing::gpt3_175b_megatron;

namespace {

Topology dgx_a100_cluster(int nodes, FabricKind kind, int leaf_ports = 32, double oversubscription = 1,
                          int fat_tree_k = 0) {
  ClusterSpec c;
  c.node = node_preset("dgx_a100");
  c.nodes = nodes;
  c.fabric.kind = kind;
  c.fabric.link_kind = LinkKind::kInfiniBand;
  c.fabric.leaf_ports = leaf_ports;
  c.fabric.oversubscription = oversubscription;
  c.fabric.fat_tree_k = fat_tree_k;
  return build_cluster(c);
}

}  // namespace

TEST_CASE("GPT-3 175B on 1,024 A100s lands within 10% of Megatron-LM's 140 TFLOP/s and 34 days") {
  // Megatron-LM's cluster: 128 DGX A100 on a non-blocking InfiniBand fat-tree.
  const Topology topo = dgx_a100_cluster(128, FabricKind::kFatTree);
  const TrainingJobSpec spec = gpt3_175b_megatron();
  const std::vector<VertexId> ranks = order_ranks(topo, topo.gpus(), spec.parallel);
  TrainingIterationModel model(topo);
  const TrainingIterationResult r = model.time(spec, ranks, 2.0);
  const IterationBreakdown& b = r.breakdown;
  std::printf("iter %.3f s: compute %.3f bubble %.3f tp %.3f pp %.3f dp %.3f (of %.3f, window %.3f) opt %.4f\n",
              r.iteration_s, b.compute_s, b.bubble_s, b.tp_comm_s, b.pp_comm_s, b.dp_comm_exposed_s, r.dp_comm_s,
              r.dp_overlap_window_s, b.optimizer_s);
  std::printf("fwd %.4f bwd %.4f tp/mb %.4f pp %.5f; TFLOP/s %.1f MFU %.3f days %.2f\n", r.forward_s, r.backward_s,
              r.tp_comm_per_micro_batch_s, r.pp_transfer_s, r.achieved_flops_per_gpu / 1e12, r.mfu,
              r.seconds_for_budget / 86400);
  CHECK(r.achieved_flops_per_gpu / 1e12 == Approx(140).epsilon(0.10));
  CHECK(r.seconds_for_budget / 86400 == Approx(34).epsilon(0.10));

  // The 64 DP groups (8 stages x 8 TP ranks) reduce at once over the full-bisection fat-tree,
  // each on its own rail: as one flow class no link carries two groups' rings, so the job
  // takes what one group takes alone.
  NetworkSpeedModel speed(topo);
  const RunningTrainingJob job{7, &spec, ranks};
  const std::vector<TrainingIterationResult> together = speed.results({&job, 1});
  std::printf("speed model: dp %.3f s, iteration %.3f s\n", together[0].dp_comm_s, together[0].iteration_s);
  CHECK(together[0].dp_comm_s == Approx(r.dp_comm_s).epsilon(0.01));
}

namespace {

// A GPT-style model small enough to reason about: 8 layers, h = 4096, ffn 4h, no biases.
TransformerSpec small_gpt(int layers = 8, int hidden = 4096) {
  TransformerSpec m;
  m.name = "small-gpt";
  m.layers = layers;
  m.hidden = hidden;
  m.heads = hidden / 128;
  m.kv_heads = m.heads;
  m.ffn_hidden = 4 * hidden;
  m.ffn_kind = FfnKind::kGelu;
  m.norm_kind = NormKind::kLayerNorm;
  m.vocab = 32000;
  m.max_context = 2048;
  return m;
}

TrainingJobSpec data_parallel_job(int dp) {
  TrainingJobSpec s;
  s.name = "small";
  s.model = small_gpt();
  s.gpu = testing::gpu("a100-80gb-sxm");
  s.precision = precision_for(Dtype::kBf16);
  s.global_batch_sequences = 8 * dp;
  s.sequence_length = 2048;
  s.token_budget = 1e9;
  s.parallel.tp = 8;
  s.parallel.dp = dp;
  s.parallel.zero_stage = 0;
  s.parallel.overlap_dp_communication = false;
  return s;
}

}  // namespace

TEST_CASE("DP all-reduce on a non-blocking fat-tree takes the ring time 2(n-1)/n x S / B") {
  // k = 8: 4 NICs per edge switch, so a node's 8 NICs fill two edge switches. (With the
  // smallest k, 6, a node straddles edge switches and hop-count routes to a GPU enter its node
  // through another GPU's NIC and cross the CPU: not a non-blocking path.)
  const Topology topo = dgx_a100_cluster(4, FabricKind::kFatTree, 32, 1, 8);
  const TrainingJobSpec spec = data_parallel_job(4);
  const std::vector<VertexId> ranks = order_ranks(topo, topo.gpus(), spec.parallel);
  // S = the stage's parameters on one GPU in fp32: 8 layers x (12 h^2 / 8 + 4h) + the
  // vocab-split embedding and head (32000 x 4096 / 8 each, untied) ~ 234M x 4 B ~ 0.94 GB.
  const double S = dp_gradient_bytes(spec);
  CHECK(S == Approx(4 * (8 * (12.0 * 4096 * 4096 / 8 + 4 * 4096) + 2 * 32000.0 * 4096 / 8)).epsilon(0.01));
  // B = one HDR NIC (25 GB/s) x InfiniBand efficiency 0.94; each DP group uses its own rail.
  const double B = 25e9 * 0.94;
  const double ring = 2.0 * 3 / 4 * S / B;  // ~60 ms; step latencies add < 0.1%
  TrainingIterationModel model(topo);
  const TrainingIterationResult alone = model.time(spec, ranks);
  CHECK(alone.dp_comm_s == Approx(ring).epsilon(0.005));
  CHECK(alone.breakdown.dp_comm_exposed_s == alone.dp_comm_s);  // no overlap configured

  // All 8 DP groups (one per GPU index) as one flow class: still one rail each.
  NetworkSpeedModel speed(topo);
  const RunningTrainingJob job{1, &spec, ranks};
  CHECK(speed.results({&job, 1})[0].dp_comm_s == Approx(ring).epsilon(0.005));
}

TEST_CASE("a pipeline split over two nodes puts its hand-offs on the NICs the fabric carries, both ways") {
  // tp 8, pp 2, dp 1 on two DGX-A100 nodes: stage 0 on node 0, stage 1 on node 1. Per
  // iteration each of the 8 GPU pairs (same TP index) moves m = 8 micro-batches of
  // b s h / tp = 2048 x 4096 x 2 B / 8 = 2 MiB of activations forward and as many gradient
  // bytes back: 16 MiB each way through each GPU's own NIC (its rail). No DP: nothing else.
  const Topology topo = dgx_a100_cluster(2, FabricKind::kRailOptimized);
  TrainingJobSpec spec = data_parallel_job(1);
  spec.parallel.pp = 2;
  const std::vector<VertexId> ranks = order_ranks(topo, topo.gpus(), spec.parallel);
  const double bytes = 8 * 2048.0 * 4096 * 2 / 8;
  CHECK(pp_handoff_bytes(spec) == Approx(bytes));
  NetworkSpeedModel speed(topo);
  const RunningTrainingJob job{1, &spec, ranks};
  int nic_uplinks = 0;
  for (const auto& [l, b] : speed.carried_link_bytes(job)) {
    const LinkInfo& info = topo.link(l);
    CHECK(info.kind != LinkKind::kNvLink);  // nothing inside a node is carried
    if (info.kind == LinkKind::kInfiniBand && topo.vertex(info.from).kind == VertexKind::kNic) {
      ++nic_uplinks;
      CHECK(b == Approx(bytes));
    }
  }
  CHECK(nic_uplinks == 16);  // stage 0's 8 NICs forward, stage 1's 8 back
  // Interleaving (v = 2) doubles the boundary crossings and adds the wrap from the last device
  // to the first, (v - 1) = 1 crossing per micro-batch: 2 x 16 + 16 MiB through every NIC.
  spec.parallel.virtual_stages = 2;
  spec.model.layers = 8;
  NetworkSpeedModel interleaved(topo);
  const RunningTrainingJob job2{2, &spec, ranks};
  for (const auto& [l, b] : interleaved.carried_link_bytes(job2)) {
    const LinkInfo& info = topo.link(l);
    if (info.kind == LinkKind::kInfiniBand && topo.vertex(info.from).kind == VertexKind::kNic)
      CHECK(b == Approx(2 * bytes + bytes));
  }
}

TEST_CASE("with SHARP a TP-8 job's DP all-reduce sends its gradients once through each NIC, S / B") {
  // One GPU per node in each DP group: collnet is the switch reduction alone. Each rank sends S
  // up its rail switch and receives the sum back at once: S / B, where a ring takes 2(n-1)/n x S / B.
  const Topology topo = dgx_a100_cluster(4, FabricKind::kRailOptimized);
  const TrainingJobSpec spec = data_parallel_job(4);
  const std::vector<VertexId> ranks = order_ranks(topo, topo.gpus(), spec.parallel);
  const double S = dp_gradient_bytes(spec);
  const double B = 25e9 * 0.94;
  CollectiveTuning tuning;
  tuning.sharp = SharpGeneration::kQuantum;
  // NCCL_COLLNET_ENABLE: the DP all-reduce runs collnet (a scenario with SHARP on does this).
  TrainingIterationModel with(topo, {}, tuning, CollectiveAlgorithm::kCollnet);
  TrainingIterationModel without(topo);
  CHECK(with.time(spec, ranks).dp_comm_s == Approx(S / B).epsilon(0.005));
  CHECK(without.time(spec, ranks).dp_comm_s == Approx(2.0 * 3 / 4 * S / B).epsilon(0.005));
  // All 8 groups at once as one class (8 rail switches, one tree each): the same, and each
  // tree moves S once up and once down every link it crosses.
  NetworkSpeedModel speed(topo, {}, tuning, CollectiveAlgorithm::kCollnet);
  const RunningTrainingJob job{1, &spec, ranks};
  CHECK(speed.results({&job, 1})[0].dp_comm_s == Approx(S / B).epsilon(0.005));
  for (const auto& [l, bytes] : speed.carried_link_bytes(job))
    if (topo.link(l).kind == LinkKind::kInfiniBand) CHECK(bytes == Approx(S));
}

TEST_CASE("a job alone on a non-blocking fat-tree loads each NIC uplink with its ring share per iteration") {
  const Topology topo = dgx_a100_cluster(4, FabricKind::kFatTree, 32, 1, 8);
  const TrainingJobSpec spec = data_parallel_job(4);  // tp 8, dp 4: 8 rings of 4 ranks, one per rail
  const std::vector<VertexId> ranks = order_ranks(topo, topo.gpus(), spec.parallel);
  NetworkSpeedModel speed(topo);
  const RunningTrainingJob job{1, &spec, ranks};
  // A ring all-reduce rank sends 2(n-1)/n x S to its successor, n = 4: 1.5 S through its NIC.
  const double S = dp_gradient_bytes(spec);
  const double per_rank = 2.0 * 3 / 4 * S;
  int nic_uplinks = 0;
  double ib_bytes = 0;
  for (const auto& [l, bytes] : speed.carried_link_bytes(job)) {
    const LinkInfo& info = topo.link(l);
    if (info.kind != LinkKind::kInfiniBand) continue;
    ib_bytes += bytes;
    if (topo.vertex(info.from).kind == VertexKind::kNic) {
      ++nic_uplinks;
      CHECK(bytes == Approx(per_rank));
    }
  }
  CHECK(nic_uplinks == 32);  // every GPU's NIC, 4 nodes x 8
  const double iteration = speed.iterations({&job, 1})[0].total_s();
  const std::vector<double> iteration_s{iteration};
  const auto load = speed.link_load({&job, 1}, iteration_s, topo.link_count());
  // The busiest InfiniBand link is a NIC uplink (non-blocking: no fabric link carries two
  // rings): 1.5 S / (iteration x one HDR NIC of 25 GB/s x InfiniBand efficiency 0.94).
  const double B = 25e9 * 0.94;
  bool found = false;
  for (const auto& [l, util] : load.busiest) {
    if (topo.link(l).kind != LinkKind::kInfiniBand) continue;
    CHECK(util == Approx(per_rank / (iteration * B)));
    found = true;
    break;
  }
  CHECK(found);
  // The kind's utilization: every InfiniBand byte per iteration / (iteration x the summed
  // capacity of the topology's InfiniBand links).
  CHECK(load.kind_utilization[static_cast<std::size_t>(LinkKind::kInfiniBand)] ==
        Approx(ib_bytes / (iteration * speed.kind_capacity(LinkKind::kInfiniBand))));
  CHECK(speed.kind_capacity(LinkKind::kInfiniBand) == Approx(B * static_cast<double>([&] {
                                                               std::size_t n = 0;
                                                               for (std::size_t l = 0; l < topo.link_count(); ++l)
                                                                 n += topo.link(static_cast<LinkId>(l)).kind ==
                                                                      LinkKind::kInfiniBand;
                                                               return n;
                                                             }())));
}

TEST_CASE("a one-GPU job's iteration is its micro-batches' roofline work plus the optimizer step") {
  // 2 layers, h = 1024, 8 heads, ffn 4h, vocab 1024, one A100 at ideal efficiencies, no launch
  // cost; 4 micro-batches of one 1,024-token sequence; no recomputation, ZeRO 0, dp = 1.
  TrainingJobSpec s;
  s.model = small_gpt(2, 1024);
  s.model.vocab = 1024;
  s.gpu = testing::gpu("a100-80gb-sxm");
  s.gpu.efficiency.compute = 1;
  s.gpu.efficiency.memory = 1;
  s.gpu.efficiency.launch_overhead = Time::ns(0);
  s.precision = precision_for(Dtype::kBf16);
  s.global_batch_sequences = 4;
  s.sequence_length = 1024;
  s.token_budget = 4096.0 * 1000;
  s.parallel.zero_stage = 0;
  const double P = 312e12, BW = 2039e9, T = 1024, h = 1024, V = 1024;
  // Forward of one layer: GEMMs 24 T h^2 FLOPs (compute-bound: 24 h^2 B of weights are tiny);
  // the activations 36 h elements per token in and out of the unfused kernels (attention block
  // 13 h; FFN 2h + (h + f) + 2f + (f + h) + 3h = 23 h with f = 4h) at 2 bytes; causal
  // attention 4 h T(T+1)/2 FLOPs (its 4 KiB of K and V per token are read faster).
  const double gemm = 24 * T * h * h / P;
  const double elementwise = 72 * h * T / BW;
  const double attention = std::max(4 * h * T * (T + 1) / 2 / P, 4 * h * T / BW);
  const double layer_forward = gemm + elementwise + attention;
  // Gradient accumulation per layer: (12 h^2 + 4h) parameters x (2 + 2 + 4 + 4) bytes.
  const double accumulate = (12 * h * h + 4 * h) * 12 / BW;
  // LM head: 2 T V h FLOPs vs V h x 2 B of weights + T V x 4 B of fp32 logits.
  const double head = std::max(2 * T * V * h / P, (V * h * 2 + T * V * 4) / BW);
  const double embedding = T * h * 2 / BW;
  const double micro_batch = 2 * (3 * layer_forward + accumulate) + 3 * head + 2 * embedding;
  // Adam over the stage's parameters, 2 x (12 h^2 + 4h) + the untied embedding and head 2 V h
  // (sim/llm's per-GPU count leaves out the final norm), 4 (fp32 gradient) + 24 (fp32 master,
  // momentum, variance read and written) + 2 (bf16 weight written) bytes each.
  const double params = 2 * (12 * h * h + 4 * h) + 2 * V * h;
  const double optimizer = params * 30 / BW;

  const Topology topo = dgx_a100_cluster(1, FabricKind::kNone);
  TrainingIterationModel model(topo);
  const std::vector<VertexId> one{topo.gpus().front()};
  const TrainingIterationResult r = model.time(s, one, 2.0);
  CHECK(r.breakdown.compute_s == Approx(4 * micro_batch).epsilon(1e-6));
  CHECK(r.breakdown.bubble_s == Approx(0).margin(1e-12));
  CHECK(r.breakdown.optimizer_s == Approx(optimizer).epsilon(1e-6));
  CHECK(r.iteration_s == Approx(4 * micro_batch + optimizer).epsilon(1e-6));
  // MFU: 3 forward passes of model FLOPs per token over the iteration at the 312 TFLOP/s peak.
  CHECK(r.mfu == Approx(r.model_flops_per_iteration / (r.iteration_s * P)));
  CHECK(r.tokens_per_s == Approx(4096 / r.iteration_s));
  CHECK(r.seconds_for_budget == Approx(1000 * r.iteration_s));
  CHECK(r.cost_usd == Approx(1000 * r.iteration_s / 3600 * 2.0));
}

TEST_CASE("in the full model interleaving shrinks the bubble by v and overlap hides DP behind one backward") {
  // Megatron-LM's cluster: 128 DGX A100 on a non-blocking InfiniBand fat-tree.
  const Topology topo = dgx_a100_cluster(128, FabricKind::kFatTree);
  TrainingIterationModel model(topo);
  TrainingJobSpec spec = gpt3_175b_megatron();
  const std::vector<VertexId> ranks = order_ranks(topo, topo.gpus(), spec.parallel);
  for (int v : {1, 2, 4}) {
    spec.parallel.virtual_stages = v;
    const TrainingIterationResult r = model.time(spec, ranks);
    const double busy = r.breakdown.compute_s + r.breakdown.tp_comm_s;
    // (p - 1)/(v m) of the busiest (last, LM-head) stage's work; the other stages are a little
    // lighter, so the idle time is a little less than the formula.
    INFO("v = " << v);
    CHECK(r.breakdown.bubble_s == Approx(7.0 / (v * 96) * busy).epsilon(0.03));
  }
  spec.parallel.virtual_stages = 2;
  spec.parallel.overlap_dp_communication = true;
  const TrainingIterationResult r = model.time(spec, ranks);
  // Window: the last micro-batch's backward through the stage, its TP all-reduces included.
  CHECK(r.dp_overlap_window_s == Approx(r.backward_s + r.tp_comm_per_micro_batch_s * 2.0 / 3.0));
  CHECK(r.breakdown.dp_comm_exposed_s == Approx(r.dp_comm_s - r.dp_overlap_window_s));
}
