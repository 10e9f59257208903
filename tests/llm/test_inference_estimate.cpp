#include <catch2/catch.hpp>

#include "catalog_fixture.hpp"
#include "sim/cost/cost_formulas.hpp"
#include "sim/llm/inference_estimate.hpp"
#include "sim/llm/training_estimate.hpp"

using namespace cs;
using cs::testing::gpu;
using cs::testing::model;

namespace {
const ModelPrecision kBf16 = precision_for(Dtype::kBf16);

InferenceQuery chat(double in, double out, double batch = 1) {
  InferenceQuery q;
  q.input_tokens = in;
  q.output_tokens = out;
  q.batch = batch;
  return q;
}

// Bytes one GPU reads in a decode step of one sequence at `context`: its layers' weights, the
// LM head shard, and the KV cache of the context.
double decode_bytes_per_gpu(const TransformerCost& cost, double context) {
  const int layers = cost.model().layers;
  return layers * cost.layer_weight_bytes_per_gpu() + cost.params().output_projection / cost.plan().tp * 2 +
         layers * cost.kv_bytes_per_token_layer_per_gpu() * context;
}
}  // namespace

TEST_CASE("a Llama-2-70B decode step on 4 H100 is memory-bound at the HBM roofline") {
  const GpuSpec& h100 = gpu("h100-sxm");
  const ParallelPlan tp4{4, 1, 1, 1};
  const InferenceEstimate e = estimate_inference(model("llama-2-70b"), h100, kBf16, tp4, chat(1024, 256));
  REQUIRE(e.fit.fits);
  CHECK(e.decode.bound() == Bound::kMemory);
  // Mean decode context: 1024 + 255/2 tokens. Per GPU: 34.5 GB of weights + 94 MB of KV.
  const double bytes = decode_bytes_per_gpu(TransformerCost(model("llama-2-70b"), kBf16, tp4), 1024 + 127.5);
  CHECK(bytes == Approx(34.6e9).epsilon(0.01));
  // The GPU's share of the step (roofline + kernel launches) is within 10% of those bytes over
  // the achievable HBM bandwidth (3.35 TB/s x 0.85): 12.1 ms. TP all-reduces (160 per step,
  // ~6 us each over NVLink) come on top and belong to the network model.
  const double achievable = h100.memory_bandwidth_bytes_per_s * h100.efficiency.memory;
  CHECK(e.decode.gpu.seconds() == Approx(bytes / achievable).epsilon(0.10));
  CHECK(e.decode.gpu.memory_s == Approx(bytes / achievable).epsilon(0.01));
  CHECK(e.decode.tp_comm_s == Approx(80 * 2 * (2 * 0.75 * 8192 * 2 / 360e9 + 6e-6)).epsilon(1e-6));
  // At the datasheet bandwidth itself (memory efficiency 1): within 10% of bytes / 3.35 TB/s.
  GpuSpec ideal = h100;
  ideal.efficiency.memory = 1.0;
  const InferenceEstimate i = estimate_inference(model("llama-2-70b"), ideal, kBf16, tp4, chat(1024, 256));
  CHECK(i.decode.gpu.seconds() == Approx(bytes / h100.memory_bandwidth_bytes_per_s).epsilon(0.10));
  // Throughput of one sequence: 256 tokens over prefill + 255 steps.
  CHECK(e.output_tokens_per_s == Approx(256 / (e.prefill_s + 255 * e.decode_s_per_token)));
}

TEST_CASE("batching amortizes the weight reads: decode throughput grows nearly linearly with batch") {
  const ParallelPlan tp4{4, 1, 1, 1};
  const auto one = estimate_inference(model("llama-2-70b"), gpu("h100-sxm"), kBf16, tp4, chat(1024, 256, 1));
  const auto many = estimate_inference(model("llama-2-70b"), gpu("h100-sxm"), kBf16, tp4, chat(1024, 256, 32));
  // 32 sequences per step cost < 1.5x one sequence's step: > 20x the generated tokens per second.
  CHECK(many.decode_s_per_token < 1.5 * one.decode_s_per_token);
  CHECK(32 / many.decode_s_per_token > 20 / one.decode_s_per_token);
  CHECK(many.prefill.bound() == Bound::kCompute);
}

TEST_CASE("Llama-3-405B in bf16 does not fit one 8xH100 node, and streamed a token costs ~0.4 s") {
  const GpuSpec& h100 = gpu("h100-sxm");
  const ParallelPlan node{8, 1, 1, 1};
  InferenceQuery q = chat(1024, 256);
  q.streaming = StreamingMode::kOff;
  CHECK_THROWS_WITH(estimate_inference(model("llama-3-405b"), h100, kBf16, node, q),
                    Catch::Contains("h100-sxm has 80.0 GiB") && Catch::Contains("tp=8 pp=2"));
  q.streaming = StreamingMode::kAuto;
  const InferenceEstimate e = estimate_inference(model("llama-3-405b"), h100, kBf16, node, q);
  CHECK_FALSE(e.fit.fits);
  REQUIRE(e.streaming);
  CHECK(e.memory_per_gpu_bytes <= h100.memory_bytes);
  CHECK(e.decode.bound() == Bound::kHostLink);
  // Each of the streamed layers waits for 797 MB over PCIe gen5 at 50.4 GB/s (15.8 ms); the
  // resident layers run at HBM speed. With 25 of 126 layers streamed: ~0.43 s per token.
  const StreamingPlan& s = *e.streaming;
  const double copy_s = s.layer_bytes_per_gpu / s.host_bandwidth_bytes_per_s;
  CHECK(copy_s == Approx(0.0158).epsilon(0.01));
  CHECK(e.decode_s_per_token > s.streamed_layers * copy_s);
  CHECK(e.decode_s_per_token < s.streamed_layers * copy_s + 0.06);
  CHECK(e.decode_s_per_token == Approx(0.43).epsilon(0.1));
  // At $2/GPU-hour, 8 GPUs: $16/h; a generated token costs 16/3600 * 0.43 s = $0.0019, ~5x
  // what the 16-GPU resident plan pays (40 ms/token on twice the GPUs: $0.00036).
  const double usd_per_token = usd_for_gpu_seconds(8 * e.decode_s_per_token, 2.0);
  CHECK(usd_per_token == Approx(16.0 / 3600 * e.decode_s_per_token));
  const auto resident =
      estimate_inference(model("llama-3-405b"), h100, kBf16, ParallelPlan{8, 2, 1, 1}, chat(1024, 256));
  CHECK(resident.fit.fits);
  CHECK(resident.decode_s_per_token == Approx(0.040).epsilon(0.1));
  CHECK(usd_per_token > 4 * usd_for_gpu_seconds(16 * resident.decode_s_per_token, 2.0));
}

TEST_CASE("a training estimate splits the model until it fits and times it at the simulated MFU") {
  TrainingQuery q;
  q.tokens = 300e9;
  q.gpus = 1024;
  q.options.sequence_length = 2048;
  const TrainingEstimate e = estimate_training(model("gpt-3-175b"), gpu("a100-80gb-sxm"), q);
  CHECK(e.plan.tp == 8);
  CHECK(e.plan.total_gpus() == 1024);
  CHECK(e.fits);
  CHECK(e.plan.pp > 1);  // 175B does not fit 8 A100s even with ZeRO-1
  // MFU below the GEMM efficiency (0.75), by the TP all-reduces and the pipeline bubble.
  CHECK(e.mfu < 0.75);
  CHECK(e.mfu > 0.4);
  CHECK(e.seconds == Approx(e.model_flops / (1024 * 312e12 * e.mfu)));
  // Given an MFU, the time follows it: 3.186e23 / (1024 * 312e12 * 0.5) = 23.1 days.
  q.mfu = 0.5;
  const TrainingEstimate given = estimate_training(model("gpt-3-175b"), gpu("a100-80gb-sxm"), q);
  CHECK(given.seconds / 86400 == Approx(3.186e23 / (1024 * 312e12 * 0.5) / 86400).epsilon(0.001));
  CHECK_FALSE(given.mfu_simulated);
}
