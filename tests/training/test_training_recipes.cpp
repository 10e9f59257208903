// Training recipes on the iteration model: selective recomputation, sequence parallelism, TP
// communication overlapped with GEMMs, activation memory, fp8 and the distributed optimizer,
// each checked against the pieces it changes.
#include <catch2/catch.hpp>

#include "sim/hardware/roofline.hpp"
#include "sim/llm/transformer_cost.hpp"
#include "sim/training/rank_layout.hpp"
#include "sim/training/training_iteration.hpp"
#include "tests/llm/catalog_fixture.hpp"
#include "tests/training/gpt3_megatron_job.hpp"
#include "topology/fabric_builder.hpp"

using namespace cs;

namespace {

// One DGX A100, TP 8, a GPT of 8 layers with h = 4096 (ffn 4h), micro-batch 1 of 2,048 tokens.
TrainingJobSpec tp8_job() {
  TrainingJobSpec s;
  s.name = "tp8";
  s.model.name = "gpt-8l";
  s.model.layers = 8;
  s.model.hidden = 4096;
  s.model.heads = 32;
  s.model.kv_heads = 32;
  s.model.ffn_hidden = 4 * 4096;
  s.model.ffn_kind = FfnKind::kGelu;
  s.model.norm_kind = NormKind::kLayerNorm;
  s.model.vocab = 32000;
  s.model.max_context = 2048;
  s.gpu = testing::gpu("a100-80gb-sxm");
  s.precision = precision_for(Dtype::kBf16);
  s.global_batch_sequences = 8;
  s.sequence_length = 2048;
  s.token_budget = 1e9;
  s.parallel.tp = 8;
  s.flash_attention = false;
  return s;
}

struct Fixture {
  explicit Fixture(const char* node = "dgx_a100") : topo([node] {
    ClusterSpec c;
    c.node = node_preset(node);
    c.fabric.kind = FabricKind::kNone;
    return build_cluster(c);
  }()) {}
  Topology topo;
  TrainingIterationModel model{topo};
  TrainingIterationResult time(const TrainingJobSpec& spec) {
    return model.time(spec, order_ranks(topo, topo.gpus(), spec.parallel));
  }
};

}  // namespace

TEST_CASE("selective recomputation adds one attention forward per layer to the backward, and its FLOPs") {
  Fixture f;
  TrainingJobSpec spec = tp8_job();
  const TrainingIterationResult none = f.time(spec);
  spec.parallel.selective_recompute = true;
  const TrainingIterationResult selective = f.time(spec);
  // The attention forward of one layer on one GPU (scores through HBM, no FlashAttention).
  const TransformerCost cost(spec.model, spec.precision, ParallelPlan{8, 1, 1, 1});
  KernelWork attention = cost.layer_attention_work(training_shape(1, 2048));
  const double s = 2048, h = 4096, heads_per_gpu = 32.0 / 8;
  attention.flops = 4.0 * h / 8 * s * s;
  attention.bytes += heads_per_gpu * s * s * 13;
  CHECK(selective.backward_s - none.backward_s == Approx(8 * roofline_time(spec.gpu, attention).seconds()));
  CHECK(selective.tp_comm_per_micro_batch_s == Approx(none.tp_comm_per_micro_batch_s));  // no TP repeated
  // Megatron's count gains 4 B s^2 l h: 8 sequences x 2048^2 x 8 layers x 4096 x 4.
  CHECK(megatron_flops_per_iteration(tp8_job()) + 4 * 8 * s * s * 8 * h ==
        Approx(selective.megatron_flops_per_iteration));
  spec.parallel.selective_recompute = false;
  // Full recomputation costs more: a whole forward per layer and its TP collectives again.
  spec.parallel.recompute_activations = true;
  const TrainingIterationResult full = f.time(spec);
  CHECK(full.backward_s > selective.backward_s);
  CHECK(full.tp_comm_per_micro_batch_s == Approx(1.5 * none.tp_comm_per_micro_batch_s));
}

TEST_CASE("sequence parallelism prices TP as reduce-scatter + all-gather and shrinks the elementwise work") {
  Fixture f;
  TrainingJobSpec spec = tp8_job();
  const TrainingIterationResult plain = f.time(spec);
  spec.parallel.sequence_parallel = true;
  const TrainingIterationResult sp = f.time(spec);
  // Same bytes on the same ring: a reduce-scatter and an all-gather each take half an
  // all-reduce's steps, plus one more launch and base latency each (LL128 at 16.8 MB on 8
  // A100s); 4 collectives per layer per micro-batch (2 forward, 2 backward), 8 layers.
  const CollectiveTuning tuning;
  const double extra_launches =
      8 * 4 * (tuning.launch_overhead.seconds() + tuning.cost(CollectiveProtocol::kLL128).base_latency.seconds());
  CHECK(sp.tp_comm_per_micro_batch_s == Approx(plain.tp_comm_per_micro_batch_s + extra_launches).epsilon(0.02));
  CHECK(sp.forward_s < plain.forward_s);
  CHECK(sp.backward_s < plain.backward_s);
}

TEST_CASE("TP communication overlapped with GEMMs exposes only what outlasts them, per layer and pass") {
  // Per layer: T = the two all-reduces of a pass (16.8 MB each on 8 A100s, ~0.26 ms each),
  // G = the forward GEMMs (24 b s h^2 / tp = 1.03e11 FLOPs, ~0.44 ms); the backward's GEMMs take 2G. Exposed per micro-batch = 8 layers x (max(0, T - G) + max(0, T - 2G)).
  Fixture f;
  TrainingJobSpec spec = tp8_job();
  const TrainingIterationResult plain = f.time(spec);
  spec.parallel.tp_comm_overlap = true;
  const TrainingIterationResult overlapped = f.time(spec);
  const double T = plain.tp_comm_per_micro_batch_s / 8 / 2;
  const TransformerCost cost(spec.model, spec.precision, ParallelPlan{8, 1, 1, 1});
  KernelWork gemm = cost.layer_dense_work(training_shape(1, 2048));
  gemm.bytes = cost.layer_weight_bytes_per_gpu();
  const double G = roofline_time(spec.gpu, gemm).seconds();
  REQUIRE(T > G);      // the forward's collectives outlast its GEMMs here...
  REQUIRE(T < 2 * G);  // ...the backward's do not
  CHECK(overlapped.tp_comm_per_micro_batch_s == Approx(8 * (T - G)));
  CHECK(overlapped.iteration_s < plain.iteration_s);
}

namespace {

// Parameters on one GPU of GPT-3's first stage (h = 12288, TP 8): 12 layers of h^2/2 attention
// matrices + h^2 FFN matrices + 11h/8 attention and 5h/8 FFN biases + 4h LayerNorm, and the
// token + position embedding (51200 + 2048) x h / 8.
constexpr double kH = 12288;
constexpr double kGpt3StageParams = 12 * (1.5 * kH * kH + 6 * kH) + 53248 * kH / 8;  // 2,800,582,656

}  // namespace

TEST_CASE("GPT-3 175B's calibration plan needs 54 GiB per GPU: 18 bytes per parameter and recomputed activations") {
  REQUIRE(kGpt3StageParams == 2800582656.0);
  TrainingJobSpec spec = testing::gpt3_175b_megatron();
  const TrainingMemory m = training_job_memory(spec);
  // ZeRO 0: bf16 weights, fp32 gradient buffer (Megatron's main_grad), fp32 master + Adam m, v.
  CHECK(m.weights_bytes == Approx(2 * kGpt3StageParams));
  CHECK(m.gradients_bytes == Approx(4 * kGpt3StageParams));
  CHECK(m.optimizer_bytes == Approx(12 * kGpt3StageParams));
  // Activations (Korthikanti et al. 2022), s = 2048, b = 1, t = 8, a = 96, no SP, no
  // FlashAttention. Kept per layer with full recomputation: 2 s b h = 50,331,648 B. The first
  // stage holds its 12 layers for pp = 8 micro-batches, x (1 + 7/16) interleaved (v = 2): 138
  // layers' worth. The layer being recomputed holds s b h (10 + 24/8) + 5 a s^2 b / 8 =
  // 327,155,712 + 251,658,240 B. fp32 logits of the vocab shard: 2048 x 51200 / 8 x 4 B.
  const double kept = 138 * 50331648.0, recomputing = 327155712.0 + 251658240.0, logits = 52428800.0;
  CHECK(m.activations_bytes == Approx(kept + recomputing + logits));  // 7,577,010,176 B
  CHECK(m.total() / (1 << 30) == Approx(54.0).epsilon(0.002));
  CHECK(m.total() < spec.gpu.memory_bytes);

  // Without recomputation every layer keeps s b h (10 + 24/t) + 5 a s^2 b / t: 138 x 578.8 MB
  // = 79.9 GB of activations; 130 GB in all does not fit in 80 GiB.
  spec.parallel.recompute_activations = false;
  const TrainingMemory none = training_job_memory(spec);
  CHECK(none.activations_bytes == Approx(138 * (327155712.0 + 251658240.0) + logits));
  CHECK(none.total() > spec.gpu.memory_bytes);
  // Selective recomputation drops the 5 a s / h term: 138 x 327.2 MB; still 95.6 GB.
  spec.parallel.selective_recompute = true;
  const TrainingMemory selective = training_job_memory(spec);
  CHECK(selective.activations_bytes == Approx(138 * 327155712.0 + logits));
  CHECK(selective.total() > spec.gpu.memory_bytes);
  // + sequence parallelism: 34 s b h / t per layer = 106,954,752 B; 65.2 GB fits (Korthikanti
  // et al.'s point: SP + selective recomputation instead of full recomputation).
  spec.parallel.sequence_parallel = true;
  const TrainingMemory sp = training_job_memory(spec);
  CHECK(sp.activations_bytes == Approx(138 * 106954752.0 + logits));
  CHECK(sp.total() < spec.gpu.memory_bytes);
  // Plain 1F1B with fewer micro-batches than stages: only those are in flight (12 layers x 4).
  spec.parallel.virtual_stages = 1;
  spec.global_batch_sequences = 64;  // 4 micro-batches per pipeline at dp 16
  CHECK(training_job_memory(spec).activations_bytes == Approx(48 * 106954752.0 + logits));
}

TEST_CASE("the distributed optimizer reduce-scatters the gradient buffer and all-gathers, sharding Adam over dp") {
  TrainingJobSpec spec = testing::gpt3_175b_megatron();
  const std::vector<VertexId> group{1, 2, 3, 4};
  const double P = kGpt3StageParams;
  CHECK(dp_gradient_bytes(spec) == Approx(4 * P));
  // ZeRO 0: one all-reduce of the fp32 gradients.
  std::vector<CollectiveRequest> c = dp_reduction_collectives(spec, group);
  REQUIRE(c.size() == 1);
  CHECK(c[0].op == CollectiveOp::kAllReduce);
  CHECK(c[0].bytes == Approx(4 * P));
  // ZeRO 1: reduce-scatter of the fp32 gradients (4 P bytes), then the all-gather of the
  // updated bf16 parameters (2 P bytes: Megatron's distributed optimizer gathers param dtype).
  spec.parallel.zero_stage = 1;
  c = dp_reduction_collectives(spec, group);
  REQUIRE(c.size() == 2);
  CHECK(c[0].op == CollectiveOp::kReduceScatter);
  CHECK(c[0].bytes == Approx(4 * P));
  CHECK(c[1].op == CollectiveOp::kAllGather);
  CHECK(c[1].bytes == Approx(2 * P));
  // bf16 gradient reduction (gradient_dtype: bf16) halves the reduce-scatter only.
  spec.gradient_dtype = Dtype::kBf16;
  c = dp_reduction_collectives(spec, group);
  CHECK(c[0].bytes == Approx(2 * P));
  CHECK(c[1].bytes == Approx(2 * P));
  // fp8 training keeps 16-bit parameters: the all-gather stays 2 P.
  spec.gradient_dtype = Dtype::kFp32;
  spec.precision.compute = Dtype::kFp8;
  c = dp_reduction_collectives(spec, group);
  CHECK(c[1].bytes == Approx(2 * P));
  spec.precision.compute = Dtype::kBf16;
  // Memory: master weights and Adam moments (12 B) over dp = 16; gradients stay whole.
  spec.gradient_dtype = Dtype::kFp32;
  const TrainingMemory m = training_job_memory(spec);
  CHECK(m.optimizer_bytes == Approx(12 * P / 16));
  CHECK(m.gradients_bytes == Approx(4 * P));
  CHECK(m.weights_bytes == Approx(2 * P));
}

TEST_CASE("fp8 runs the layers' GEMMs at the fp8 peak and pays a cast per GEMM operand, on HBM") {
  Fixture f("dgx_h100");
  TrainingJobSpec spec = tp8_job();
  spec.gpu = testing::gpu("h100-sxm");
  spec.flash_attention = true;
  const TrainingIterationResult bf16 = f.time(spec);
  spec.precision.compute = Dtype::kFp8;
  const TrainingIterationResult fp8 = f.time(spec);
  // Per layer on one of 8 GPUs, T = 2048 tokens, h = 4096: GEMM FLOPs 2 T (4 h^2 + 8 h^2) / 8;
  // weights read as the fp8 copy, 1 byte per parameter instead of 2 (+ the same activation
  // traffic is not in the GEMM kernel: that stays with the elementwise work).
  const double T = 2048, h = 4096;
  const TransformerCost cost(spec.model, precision_for(Dtype::kBf16), ParallelPlan{8, 1, 1, 1});
  KernelWork gemm16 = cost.layer_dense_work(training_shape(1, 2048));
  REQUIRE(gemm16.flops == Approx(2 * T * 12 * h * h / 8));
  gemm16.bytes = cost.layer_weight_bytes_per_gpu();
  KernelWork gemm8 = gemm16;
  gemm8.dtype = Dtype::kFp8;
  gemm8.bytes /= 2;
  // The forward casts the four GEMMs' inputs: QKV and FC1 read the whole h, the attention
  // output projection h / 8, FC2 4h / 8: 2.625 h per token, 4 bytes per element (bf16 read,
  // fp8 + fp8 transpose written), 4 kernels.
  KernelWork cast;
  cast.bytes = T * 2.625 * h * 4;
  cast.launches = 4;
  const double per_layer = roofline_time(spec.gpu, gemm8).seconds() - roofline_time(spec.gpu, gemm16).seconds() +
                           roofline_time(spec.gpu, cast).seconds();
  CHECK(fp8.forward_s - bf16.forward_s == Approx(8 * per_layer));
  CHECK(fp8.forward_s < bf16.forward_s);  // here the 2x faster GEMMs win over the casts
  // Backward: twice the GEMMs, and the output gradients cast: QKV 3h / 8, projection h, FC1
  // 4h / 8, FC2 h = 2.875 h per token.
  KernelWork cast_back = cast;
  cast_back.bytes = T * 2.875 * h * 4;
  auto twice = [](KernelWork w) {
    w.flops *= 2;
    w.bytes *= 2;
    w.launches *= 2;
    return w;
  };
  const double per_layer_back = roofline_time(spec.gpu, twice(gemm8)).seconds() -
                                roofline_time(spec.gpu, twice(gemm16)).seconds() +
                                roofline_time(spec.gpu, cast_back).seconds();
  CHECK(fp8.backward_s - bf16.backward_s == Approx(8 * per_layer_back));
  // TP traffic stays bf16; the optimizer step gains the weight cast and the amax histories.
  CHECK(fp8.tp_comm_per_micro_batch_s == Approx(bf16.tp_comm_per_micro_batch_s));
  CHECK(fp8.breakdown.optimizer_s > bf16.breakdown.optimizer_s);
  // Memory: master weights and gradients unchanged; + an fp8 weight and its transpose (2 B).
  const TrainingMemory m16 = training_job_memory(tp8_job());
  spec.gpu = testing::gpu("a100-80gb-sxm");
  const TrainingMemory m8 = training_job_memory(spec);
  const double params = parameters_per_gpu(cost);
  CHECK(m8.weights_bytes - m16.weights_bytes == Approx(2 * params));
  CHECK(m8.gradients_bytes == Approx(m16.gradients_bytes));
  CHECK(m8.optimizer_bytes == Approx(m16.optimizer_bytes));
}

TEST_CASE("context parallelism splits each sequence over cp ranks: 1/cp of the work and memory, K/V sent around a ring") {
  // Two DGX H100 nodes, tp 8, cp 2: the CP pair is GPU i of node 0 and GPU i of node 1.
  const Topology topo = [] {
    ClusterSpec c;
    c.node = node_preset("dgx_h100");
    c.nodes = 2;
    c.fabric.kind = FabricKind::kFatTree;
    return build_cluster(c);
  }();
  TrainingIterationModel model(topo);
  TrainingJobSpec spec = tp8_job();
  spec.gpu = testing::gpu("h100-sxm");
  spec.flash_attention = true;
  spec.sequence_length = 32768;
  const std::vector<VertexId> first_node(topo.gpus().begin(), topo.gpus().begin() + 8);
  const TrainingIterationResult one = model.time(spec, order_ranks(topo, first_node, spec.parallel));
  spec.parallel.cp = 2;
  const std::vector<VertexId> ranks = order_ranks(topo, topo.gpus(), spec.parallel);
  const RankLayout layout = rank_layout(spec.parallel, ranks);
  // Ranks: TP fastest, then CP: the TP groups are the two nodes, the CP pairs span them.
  REQUIRE(layout.cp_groups.size() == 8);
  CHECK(topo.vertex(layout.cp_groups[3][0]).node != topo.vertex(layout.cp_groups[3][1]).node);
  CHECK(layout.dp_groups[0].size() == 2);  // gradients reduce over dp x cp = 2
  // One ring step: K and V of 16,384 tokens x 32 heads / 8 x 128 x 2 bytes = 33.5 MB.
  CHECK(cp_kv_bytes_per_step(spec) == Approx(2 * 16384.0 * 4 * 128 * 2));
  const TrainingIterationResult two = model.time(spec, ranks);
  // A ring step sends 33.5 MB over one 400 Gb/s NDR NIC (50 GB/s x InfiniBand efficiency 0.94):
  // ~0.71 ms, against the step's attention = (the whole sequence's attention / cp) / cp steps.
  // Exposed per layer: forward max(0, send - step), backward max(0, 2 send - 2 step); 8 layers.
  KernelWork attention = TransformerCost(spec.model, spec.precision, ParallelPlan{8, 1, 2, 1})
                             .layer_attention_work(training_shape(1, 32768));
  attention.flops /= 2;
  attention.bytes /= 2;
  attention.launches *= 2;
  const double step = roofline_time(spec.gpu, attention).seconds() / 2;
  // Each send also pays NCCL's launch (and some us of base and switch latency: 5%).
  const double launch = CollectiveTuning{}.launch_overhead.seconds();
  const double bytes_s = cp_kv_bytes_per_step(spec) / (50e9 * 0.94);
  REQUIRE(bytes_s > step);  // at 32k tokens and h = 4096 the exchange outlasts the attention
  const double forward = launch + bytes_s - step, backward = launch + 2 * bytes_s - 2 * step;
  CHECK(two.cp_comm_per_micro_batch_s == Approx(8 * (forward + backward)).epsilon(0.05));
  // Dense work halves with the tokens; the attention's FLOPs halve too: per micro-batch the
  // forward is about half of the cp = 1 one (launches and the LM head shard aside).
  CHECK(two.forward_s == Approx(one.forward_s / 2).epsilon(0.02));
  // Activations: s / cp in Korthikanti's per-layer formula, 34 s b h / t... here without SP:
  // s b h (10 + 24/t) per layer x 8 layers x 1 micro-batch + fp32 logits, all at s = 16,384.
  const double s = 16384, h = 4096;
  CHECK(training_job_memory(spec).activations_bytes == Approx(8 * s * h * (10 + 24.0 / 8) + s * 32000 / 8 * 4));
  // ZeRO 1 (the default) shards the optimizer over the dp x cp = 2 ranks.
  const TransformerCost cost(spec.model, spec.precision, ParallelPlan{8, 1, 1, 1});
  CHECK(training_job_memory(spec).optimizer_bytes == Approx(12 * parameters_per_gpu(cost) / 2));
}

TEST_CASE("expert parallelism sends each token's top-k copies through a dispatch and a combine all-to-all per MoE layer") {
  Fixture f("dgx_h100");
  TrainingJobSpec spec = tp8_job();
  spec.model = testing::model("mixtral-8x7b");  // 32 layers, h 4096, 8 experts, top 2
  spec.gpu = testing::gpu("h100-sxm");
  spec.flash_attention = true;
  spec.sequence_length = 4096;
  spec.parallel.tp = 1;
  spec.parallel.dp = 8;
  spec.parallel.ep = 8;  // one expert per GPU, the 8 GPUs of the node
  // Per GPU per all-to-all: 4,096 tokens x 2 copies x 4,096 x 2 bytes = 64 MiB.
  CHECK(ep_all_to_all_bytes(spec) == 4096.0 * 2 * 4096 * 2);
  const TrainingIterationResult balanced = f.time(spec);
  // 4 all-to-alls per layer and micro-batch (dispatch + combine, forward and backward), 32
  // layers; each moves 7/8 of 64 MiB out of every GPU over NVLink 4 (450 GB/s x 0.8), after
  // NCCL's launch and the Simple protocol's base latency.
  const CollectiveTuning tuning;
  const double one = tuning.launch_overhead.seconds() + tuning.cost(CollectiveProtocol::kSimple).base_latency.seconds() +
                     4096.0 * 2 * 4096 * 2 * 7 / 8 / (450e9 * 0.8);
  CHECK(balanced.ep_comm_per_micro_batch_s == Approx(32 * 4 * one).epsilon(0.02));
  // A capacity factor of 1.25: a quarter more bytes and expert FLOPs on the busiest rank.
  spec.parallel.moe_capacity_factor = 1.25;
  CHECK(ep_all_to_all_bytes(spec) == 1.25 * 4096.0 * 2 * 4096 * 2);
  const TrainingIterationResult skewed = f.time(spec);
  CHECK(skewed.ep_comm_per_micro_batch_s > balanced.ep_comm_per_micro_batch_s);
  CHECK(skewed.forward_s > balanced.forward_s);
  // Memory: expert weights held by one GPU each (ep = dp = 8), so ZeRO-1 cannot shard their
  // optimizer states: 32 layers x 3 x 4096 x 14336 = 5,637,144,576 expert parameters at 12 B,
  // the other 1,605,632,000 (attention 41,943,040 + router 32,768 + norms 8,192 per layer,
  // embedding and untied head 131,072,000 each) at 12 B / 8.
  CHECK(training_job_memory(spec).optimizer_bytes == Approx(12 * (1605632000.0 / 8 + 5637144576.0)));
}
