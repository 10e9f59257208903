// Training recipes on the iteration model: selective recomputation, sequence parallelism and
// TP communication overlapped with GEMMs, each checked against the pieces it changes.
#include <catch2/catch.hpp>

#include "sim/hardware/roofline.hpp"
#include "sim/llm/transformer_cost.hpp"
#include "sim/training/rank_layout.hpp"
#include "sim/training/training_iteration.hpp"
#include "tests/llm/catalog_fixture.hpp"
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
  Topology topo = [] {
    ClusterSpec c;
    c.node = node_preset("dgx_a100");
    c.fabric.kind = FabricKind::kNone;
    return build_cluster(c);
  }();
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
