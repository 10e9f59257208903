#include <catch2/catch.hpp>

#include "catalog_fixture.hpp"
#include "sim/llm/iteration_model.hpp"
#include "tiny_model.hpp"

using namespace cs;

namespace {

const ModelPrecision kBf16 = precision_for(Dtype::kBf16);
const ParallelPlan kOne{1, 1, 1, 1};

// Costs only where a test sets them.
EngineProfile engine_with_kernels(double per_layer, double per_iteration) {
  EngineProfile e;
  e.name = "test";
  e.kernels_per_layer = per_layer;
  e.kernels_per_iteration = per_iteration;
  return e;
}

}  // namespace

TEST_CASE("an eager kernel class takes the longer of its GPU work and its dispatch, then the host's work adds") {
  const GpuSpec& a100 = testing::gpu("a100-80gb-sxm");
  EngineProfile e = engine_with_kernels(10, 4);
  e.kernel_dispatch_s = 50e-6;
  e.host_iteration_s = 3e-3;
  e.host_prefill_s = 1e-3;
  const IterationModel tiny(testing::tiny_model(), a100, kBf16, kOne, std::nullopt, {}, e);
  // 2 layers x 10 kernels + 4 = 24 kernels x 50 us = 1.2 ms of dispatch: the tiny model's GPU
  // work (nanoseconds) hides none of it; prefilling adds 1 ms of host work to the 3 ms.
  const PhaseTime t = tiny.time(prefill_shape(1, 16));
  CHECK(t.gpu.seconds() + t.dispatch_stall_s == Approx(1.2e-3).epsilon(1e-12));
  CHECK(t.host_s == Approx(4e-3).epsilon(1e-12));
  CHECK(t.seconds() == Approx(5.2e-3).epsilon(1e-12));

  // Llama 2 70B on one GPU: each layer's 9 non-attention kernels stream 1.7 GB of weights
  // (~1 ms) and hide their 450 us of dispatch, the LM head (0.5 GB) hides the 4 head kernels'
  // 200 us; the attention kernel over 100 cached tokens takes well under a microsecond, so its
  // 50 us of dispatch shows in each of the 80 layers. The host's 3 ms come on top.
  const IterationModel big(testing::model("llama-2-70b"), a100, kBf16, kOne, std::nullopt, {}, e);
  const IterationModel bare(testing::model("llama-2-70b"), a100, kBf16, kOne);
  const PhaseTime d = big.time(decode_shape(1, 100));
  CHECK(d.dispatch_stall_s > 80 * 49e-6);
  CHECK(d.dispatch_stall_s < 80 * 50e-6);
  CHECK(d.seconds() == Approx(d.gpu.seconds() + d.dispatch_stall_s + 3e-3).epsilon(1e-12));
  CHECK(d.gpu.roofline_s == Approx(bare.time(decode_shape(1, 100)).gpu.roofline_s).epsilon(1e-12));
}

TEST_CASE("a decode step within the CUDA-graph size pays kernel gaps but no dispatch, and a prefill is eager") {
  EngineProfile e = engine_with_kernels(10, 4);
  e.kernel_dispatch_s = 50e-6;
  e.kernel_gap_s = 2e-6;
  e.cuda_graph_max_sequences = 8;
  const IterationModel m(testing::tiny_model(), testing::gpu("h100-sxm"), kBf16, kOne, std::nullopt, {}, e);
  const PhaseTime graph = m.time(decode_shape(8, 10));
  CHECK(graph.dispatch_stall_s == 0);
  CHECK(graph.gpu.launch_s == Approx(24 * 2e-6).epsilon(1e-12));
  CHECK(m.time(decode_shape(9, 10)).dispatch_stall_s > 1e-3);  // past the captured sizes
  CHECK(m.time(prefill_shape(1, 8)).dispatch_stall_s > 1e-3);
}

TEST_CASE("TP all-reduces and MoE routing add their kernels to every layer's count") {
  EngineProfile e = engine_with_kernels(10, 0);
  e.kernel_gap_s = 1e-6;
  const TransformerSpec& llama = testing::model("llama-2-70b");
  const IterationModel tp8(llama, testing::gpu("a100-80gb-sxm"), kBf16, ParallelPlan{8, 1, 1, 1}, std::nullopt, {}, e);
  CHECK(tp8.time(decode_shape(1, 0)).gpu.launch_s == Approx(80 * 12 * 1e-6).epsilon(1e-12));
  const TransformerSpec& mixtral = testing::model("mixtral-8x7b");
  const IterationModel moe(mixtral, testing::gpu("h100-sxm"), kBf16, kOne, std::nullopt, {}, e);
  CHECK(moe.time(decode_shape(1, 0)).gpu.launch_s == Approx(mixtral.layers * 12 * 1e-6).epsilon(1e-12));
}

TEST_CASE("GEMMs of T tokens reach T / (T + half) of the large-GEMM rate, fp8 its own fraction of that") {
  const GpuSpec& h100 = testing::gpu("h100-sxm");
  const TransformerSpec& llama = testing::model("llama-2-70b");
  EngineProfile flat = engine_with_kernels(10, 0);
  EngineProfile skinny = flat;
  skinny.gemm_half_tokens = 256;
  const IterationModel a(llama, h100, kBf16, kOne, std::nullopt, {}, flat);
  const IterationModel b(llama, h100, kBf16, kOne, std::nullopt, {}, skinny);
  const IterationShape s = prefill_shape(1, 256);
  CHECK(b.token_terms(s).layer_dense.compute_s == Approx(2 * a.token_terms(s).layer_dense.compute_s).epsilon(1e-12));
  // The flat engine's GEMMs run at the GPU's compute efficiency, as the bare roofline does.
  const IterationModel bare(llama, h100, kBf16, kOne);
  CHECK(a.token_terms(s).layer_dense.compute_s == Approx(bare.token_terms(s).layer_dense.compute_s).epsilon(1e-12));

  EngineProfile half_fp8 = flat;
  half_fp8.fp8_efficiency = 0.5;
  const ModelPrecision fp8 = precision_for(Dtype::kFp8);
  const IterationModel full(llama, h100, fp8, kOne, std::nullopt, {}, flat);
  const IterationModel half(llama, h100, fp8, kOne, std::nullopt, {}, half_fp8);
  CHECK(half.token_terms(s).layer_dense.compute_s ==
        Approx(2 * full.token_terms(s).layer_dense.compute_s).epsilon(1e-12));
  // On an A100 fp8 runs at the bf16 peak (no fp8 tensor cores): the fp8 fraction does not apply.
  const GpuSpec& a100 = testing::gpu("a100-80gb-sxm");
  const IterationModel a100_full(llama, a100, fp8, kOne, std::nullopt, {}, flat);
  const IterationModel a100_half(llama, a100, fp8, kOne, std::nullopt, {}, half_fp8);
  CHECK(a100_half.token_terms(s).layer_dense.compute_s == a100_full.token_terms(s).layer_dense.compute_s);
}

TEST_CASE("prefill attention reaches half its efficiency at the half context, and its full value long after") {
  const GpuSpec& h100 = testing::gpu("h100-sxm");
  const TransformerSpec& llama = testing::model("llama-2-70b");
  EngineProfile e = engine_with_kernels(10, 0);
  e.attention_efficiency = 0.5;
  e.attention_half_context = 1000;
  const IterationModel m(llama, h100, kBf16, kOne, std::nullopt, {}, e);
  EngineProfile flat = e;
  flat.attention_half_context = 0;
  const IterationModel f(llama, h100, kBf16, kOne, std::nullopt, {}, flat);
  // One new token after 999 cached attends to 1,000 positions: the mean context is 1,000.
  const IterationShape s = prefill_shape(1, 1, 999);
  const double attention = [&](const IterationModel& x) {
    return x.time(s).gpu.compute_s - x.token_terms(s).layer_dense.compute_s * llama.layers -
           x.token_terms(s).lm_head.compute_s;
  }(m);
  const double flat_attention = f.time(s).gpu.compute_s - f.token_terms(s).layer_dense.compute_s * llama.layers -
                                f.token_terms(s).lm_head.compute_s;
  CHECK(attention == Approx(2 * flat_attention).epsilon(1e-9));
  // At 0.5 of the bf16 peak: 4 q_dim FLOPs per attended pair and layer.
  CHECK(flat_attention ==
        Approx(llama.layers * 4.0 * llama.q_dim() * 1000 / (0.5 * h100.peak_flops(Dtype::kBf16))).epsilon(1e-9));
}

TEST_CASE("decode attention streams each sequence's KV heads at the stream rate when HBM would be faster") {
  const GpuSpec& a100 = testing::gpu("a100-80gb-sxm");
  const TransformerSpec& llama = testing::model("llama-2-70b");
  const ParallelPlan tp8{8, 1, 1, 1};
  EngineProfile e = engine_with_kernels(10, 0);
  e.attention_stream_bytes_per_s = 10e9;
  const IterationModel m(llama, a100, kBf16, tp8, std::nullopt, {}, e);
  const TransformerCost cost(llama, kBf16, tp8);
  // One sequence, one KV head per GPU at TP 8: 10 GB/s. 4,000 more cached tokens read
  // 4,000 x the KV bytes of a token per layer, over 80 layers.
  const double extra = m.time(decode_shape(1, 5000)).seconds() - m.time(decode_shape(1, 1000)).seconds();
  CHECK(extra == Approx(llama.layers * 4000 * cost.kv_bytes_per_token_layer_per_gpu() / 10e9).epsilon(1e-9));
  // 256 sequences: 2.56 TB/s of streams, more than the A100's HBM; HBM bounds them again.
  const IterationModel bare(llama, a100, kBf16, tp8);
  const double hbm = a100.memory_bandwidth_bytes_per_s * a100.efficiency.memory;
  const double extra_256 =
      m.time(decode_shape(256, 5000)).gpu.roofline_s - m.time(decode_shape(256, 1000)).gpu.roofline_s;
  CHECK(extra_256 == Approx(llama.layers * 256 * 4000 * cost.kv_bytes_per_token_layer_per_gpu() / hbm).epsilon(1e-6));
}

TEST_CASE("an engine profile with a negative cost, or costs without kernels, is refused naming the engine") {
  EngineProfile e = engine_with_kernels(10, 0);
  e.host_iteration_s = -1;
  CHECK_THROWS_WITH(validate(e), Catch::Contains("engine 'test'") && Catch::Contains("host costs"));
  EngineProfile no_kernels;
  no_kernels.name = "x";
  no_kernels.host_iteration_s = 1e-3;
  CHECK_THROWS_WITH(validate(no_kernels), Catch::Contains("kernels_per_layer"));
  EngineProfile fp8 = engine_with_kernels(10, 0);
  fp8.fp8_efficiency = 1.5;
  CHECK_THROWS_WITH(validate(fp8), Catch::Contains("fp8"));
  CHECK_NOTHROW(validate(EngineProfile{}));
}
