#include <catch2/catch.hpp>

#include <cmath>

#include "catalog_fixture.hpp"
#include "sim/llm/transformer_cost.hpp"
#include "tiny_model.hpp"

using namespace cs;
using cs::testing::model;
using cs::testing::tiny_model;

TEST_CASE("the tiny model's parameters count by hand") {
  const ParameterCount c = count_parameters(tiny_model());
  CHECK(c.attention == 192);
  CHECK(c.expert_ffn == 384);
  CHECK(c.per_layer() == 592);
  CHECK(c.total() == 1352);
  CHECK(c.active_matmul() == 2 * (192 + 384) + 80);
}

TEST_CASE("a prefill attends causally: n*c + n(n+1)/2 pairs, logits for the last token only") {
  const IterationShape s = prefill_shape(2, 3, 5);  // 2 prompts, 3 new tokens after 5 cached
  CHECK(s.new_tokens == 6);
  CHECK(s.attended_pairs == 2 * (3 * 5 + 6));
  CHECK(s.kv_read_tokens == 10);
  CHECK(s.logit_tokens == 2);
}

TEST_CASE("decode steps read every cached token and add up over a request") {
  const IterationShape one = decode_shape(4, 100);
  CHECK(one.new_tokens == 4);
  CHECK(one.kv_read_tokens == 400);
  CHECK(one.attended_pairs == 404);
  // Three steps from context 10 read 10 + 11 + 12 cached tokens and attend to 11 + 12 + 13.
  const IterationShape run = decode_run_shape(1, 10, 3);
  CHECK(run.kv_read_tokens == 33);
  CHECK(run.attended_pairs == 36);
  CHECK(run.logit_tokens == 3);
  const IterationShape sum = decode_shape(1, 10) + decode_shape(1, 11) + decode_shape(1, 12);
  CHECK(sum.attended_pairs == run.attended_pairs);
}

TEST_CASE("forward FLOPs are 2 per matrix parameter per token plus attention's context term and the LM head") {
  const TransformerCost cost(tiny_model(), precision_for(Dtype::kBf16));
  // One prompt of 3 tokens: per layer 2 * 3 * (192 + 384) = 3456 GEMM FLOPs and
  // 4 * q_dim * pairs = 4 * 8 * 6 = 192 attention FLOPs; LM head 2 * 1 * 10 * 8 = 160.
  // 2 * (3456 + 192) + 160 = 7456.
  CHECK(cost.forward_flops(prefill_shape(1, 3)) == 7456);
}

TEST_CASE("a decode step reads the weights once and the KV cache of every sequence") {
  const TransformerCost cost(tiny_model(), precision_for(Dtype::kBf16));
  const IterationShape s = decode_shape(2, 5);
  // Layer weights (192 + 384 + 16) * 2 B = 1184 B; activations 2 tokens * 248 elements * 2 B.
  CHECK(cost.layer_dense_work(s).bytes == 1184 + 992);
  // K and V: 2 * 1 head * 4 * 2 B = 16 B per token per layer, for 10 cached + 2 new tokens.
  CHECK(cost.layer_attention_work(s).bytes == 16 * 12);
  CHECK(cost.layer_dense_work(s).launches == kKernelsPerLayer);
}

TEST_CASE("quantized weights halve the bytes and move the GEMMs to the narrower tensor cores") {
  const TransformerCost bf16(tiny_model(), precision_for(Dtype::kBf16));
  const TransformerCost fp8(tiny_model(), precision_for(Dtype::kFp8));
  CHECK(fp8.weights_bytes_total() == bf16.weights_bytes_total() / 2);
  CHECK(fp8.layer_dense_work(decode_shape(1, 0)).dtype == Dtype::kFp8);
  CHECK(fp8.kv_bytes_per_token_layer_per_gpu() == bf16.kv_bytes_per_token_layer_per_gpu() / 2);
  const TransformerCost int4(tiny_model(), precision_for(Dtype::kInt4));
  CHECK(int4.weights_bytes_total() == 1352 * 0.5);
  CHECK(int4.precision().kv_cache == Dtype::kBf16);  // weight-only quantization
  CHECK(int4.layer_dense_work(decode_shape(1, 0)).dtype == Dtype::kBf16);
}

TEST_CASE("KV cache per token is 2 * layers * kv_heads * head_dim * bytes") {
  // Llama-2-70B: 2 * 80 * 8 * 128 * 2 B = 327,680 B (GQA: 8 of 64 heads).
  CHECK(kv_cache_bytes_per_token(model("llama-2-70b"), Dtype::kBf16) == 327'680);
  // GPT-3: 2 * 96 * 96 * 128 * 2 B = 4,718,592 B, 14x more per token.
  CHECK(kv_cache_bytes_per_token(model("gpt-3-175b"), Dtype::kBf16) == 4'718'592);
  CHECK(kv_cache_bytes_per_token(model("llama-2-70b"), Dtype::kFp8) == 163'840);
}

TEST_CASE("tensor parallelism splits weights, FLOPs and KV heads, replicating KV heads past their count") {
  const TransformerSpec& m = model("llama-2-70b");
  const TransformerCost tp1(m, precision_for(Dtype::kBf16), ParallelPlan{1, 1, 1, 1});
  const TransformerCost tp4(m, precision_for(Dtype::kBf16), ParallelPlan{4, 1, 1, 1});
  const TransformerCost tp16(m, precision_for(Dtype::kBf16), ParallelPlan{16, 1, 1, 1});
  CHECK(tp4.layer_weight_bytes_per_gpu() == Approx(tp1.layer_weight_bytes_per_gpu() / 4).epsilon(1e-4));
  const IterationShape s = prefill_shape(1, 512);
  CHECK(tp4.layer_dense_work(s).flops == Approx(tp1.layer_dense_work(s).flops / 4));
  CHECK(tp4.kv_bytes_per_token_layer_per_gpu() == tp1.kv_bytes_per_token_layer_per_gpu() / 4);
  // 8 KV heads over 16 ranks: each keeps one, so KV per GPU is 1/8, not 1/16.
  CHECK(kv_heads_per_gpu(m, 16) == 1);
  CHECK(tp16.kv_bytes_per_token_layer_per_gpu() == tp1.kv_bytes_per_token_layer_per_gpu() / 8);
  // Model FLOPs do not depend on the split.
  CHECK(tp16.forward_flops(s) == tp1.forward_flops(s));
  // Each TP all-reduce carries the layer's activations: tokens * hidden * 2 B.
  CHECK(tp4.tp_all_reduce_bytes(s) == 512.0 * 8192 * 2);
}

TEST_CASE("a mixture-of-experts token multiplies with k experts, but a batch reads the experts it touches") {
  const TransformerSpec& m = model("mixtral-8x7b");
  const TransformerCost cost(m, precision_for(Dtype::kBf16));
  const ParameterCount p = count_parameters(m);
  // One token: 2 of 8 experts; FLOPs per layer 2 * (attention + 2 experts + router).
  const IterationShape one = decode_shape(1, 0);
  CHECK(cost.layer_dense_work(one).flops == 2 * (p.attention + 2 * p.expert_ffn + p.router));
  // Expected experts touched by T tokens: 8 * (1 - (6/8)^T): 2 for one token, ~7.999 for 32.
  const double shared = (p.attention + p.router + p.norms) * 2;
  const double activations_1 = cost.layer_dense_work(one).bytes - shared - 2 * p.expert_ffn * 2;
  CHECK(activations_1 > 0);
  CHECK(activations_1 < 1e6);                              // a few hundred kB against ~700 MB of experts
  const double experts_32 = 8 * (1 - std::pow(0.75, 32));  // 7.9992
  const double bytes_32 = cost.layer_dense_work(decode_shape(32, 0)).bytes;
  CHECK(bytes_32 > shared + experts_32 * p.expert_ffn * 2);
  CHECK(bytes_32 < shared + experts_32 * p.expert_ffn * 2 + 32 * 1e6);
}

TEST_CASE("training costs 3 forward passes per token, 4 with activation recomputation") {
  const TransformerSpec& m = model("llama-2-7b");
  const double forward = forward_flops(m, training_shape(1, 4096));
  CHECK(training_flops(m, 4096, 4096, false) == Approx(3 * forward));
  CHECK(training_flops(m, 4096, 4096, true) == Approx(4 * forward));
}
