#include <catch2/catch.hpp>

#include <vector>

#include "../llm/catalog_fixture.hpp"
#include "sim/llm/inference_estimate.hpp"
#include "sim/serving/llm_iteration_cost.hpp"

using namespace cs;

namespace {
const ParallelPlan kTp4{4, 1, 1, 1};
}

TEST_CASE("a lone prefill of N tokens costs what the inference estimate gives for its prefill") {
  const TransformerSpec& m = testing::model("llama-2-70b");
  const GpuSpec& g = testing::gpu("h100-sxm");
  const ModelPrecision p = precision_for(Dtype::kBf16);
  const LlmIterationCost cost(m, g, p, kTp4);
  for (const double n : {1.0, 128.0, 2048.0}) {
    InferenceQuery q;
    q.input_tokens = n;
    q.output_tokens = 1;
    q.streaming = StreamingMode::kOff;
    const InferenceEstimate e = estimate_inference(m, g, p, kTp4, q);
    const std::vector<PrefillChunk> chunks{{static_cast<std::int64_t>(n), 0}};
    const Time t = cost.iteration_time(BatchShape{chunks, 0, 0});
    // The adapter rounds the same seconds up to whole nanoseconds.
    CHECK(t == Time::from_seconds_ceil(e.prefill_s));
  }
}

TEST_CASE("a decode step is memory-bound near weights plus KV bytes per GPU over HBM bandwidth") {
  const TransformerSpec& m = testing::model("llama-2-70b");
  const GpuSpec& g = testing::gpu("h100-sxm");
  const ModelPrecision p = precision_for(Dtype::kBf16);
  const LlmIterationCost cost(m, g, p, kTp4);
  const TransformerCost tc(m, p, kTp4);
  // 32 sequences with 1,000 cached tokens each.
  const double weights = tc.layer_weight_bytes_per_gpu() * m.layers + tc.embedding_bytes_per_gpu() +
                         tc.lm_head_bytes_per_gpu();  // ~ 69e9 bytes / 4 GPUs
  const double kv = 32 * 1000 * tc.kv_bytes_per_token_layer_per_gpu() * m.layers;
  const double ideal_s = (weights + kv) / g.memory_bandwidth_bytes_per_s;  // ~ 18 GB / 3.35 TB/s ~ 5.5 ms
  const Time t = cost.iteration_time(BatchShape{{}, 32, 32 * 1000});
  // Never faster than the bytes at full bandwidth; at most the bytes at the memory efficiency
  // plus launches and the TP all-reduces, which a small batch keeps under half of it again.
  CHECK(t.seconds() >= ideal_s);
  CHECK(t.seconds() <= 1.5 * ideal_s / g.efficiency.memory);
  const PhaseTime phase = cost.model().time(decode_shape(32, 1000));
  CHECK(phase.bound() == Bound::kMemory);
}

TEST_CASE("the KV cache is what the engine's budget leaves after weights, activation peak and runtime") {
  const TransformerSpec& m = testing::model("llama-2-70b");
  const GpuSpec& g = testing::gpu("h100-sxm");
  const ModelPrecision p = precision_for(Dtype::kBf16);
  ReplicaSpec spec;
  spec.max_num_seqs = 256;
  spec.max_batched_tokens = 8192;
  const KvSizing vllm{KvBudget::kTotalFraction, 0.9, 0.5 * (1u << 30), 0};
  size_replica_kv_cache(spec, m, g, p, kTp4, vllm);
  CHECK(spec.gpus == 4);
  // KV per token: 2 · 80 layers · 8 kv heads · 128 head dim · 2 bytes = 327,680 bytes, split
  // over 4 GPUs and summed back.
  CHECK(spec.kv_bytes_per_token == Approx(327680));
  const TransformerCost tc(m, p, kTp4);
  const double weights = inference_memory_per_gpu(tc, {1, 0, 0}).weights_bytes;
  // The profiled forward pass: 8,192 tokens x (2 x 8,192 + 21,504) x 2 B + 256 x 32,000 x 4 B.
  const double activations = 8192.0 * (2 * 8192 + 21504) * 2 + 256 * 32000.0 * 4;
  CHECK(spec.kv_cache_bytes == Approx(4 * (0.9 * g.memory_bytes - weights - activations - 0.5 * (1u << 30))));
  // 4 · 38.8 GiB = 155 GiB: 509,000 tokens, 31,800 blocks of 16.
  CHECK(kv_cache_blocks(spec) == static_cast<std::int64_t>(spec.kv_cache_bytes / (16 * 327680.0)));
  CHECK(kv_cache_blocks(spec) * spec.kv_block_tokens == Approx(509'000).epsilon(0.01));

  // A larger token budget costs activation memory, hence KV blocks.
  ReplicaSpec wide = spec;
  wide.max_batched_tokens = 32768;
  size_replica_kv_cache(wide, m, g, p, kTp4, vllm);
  CHECK(spec.kv_cache_bytes - wide.kv_cache_bytes == Approx(4 * 24576.0 * (2 * 8192 + 21504) * 2));

  ReplicaSpec one = spec;
  CHECK_THROWS_AS(size_replica_kv_cache(one, m, g, p, ParallelPlan{1, 1, 1, 1}, vllm), std::invalid_argument);
}

TEST_CASE("a replica counts the model FLOPs of every iteration, fused decode steps included") {
  const TransformerSpec& m = testing::model("llama-2-70b");
  const GpuSpec& g = testing::gpu("h100-sxm");
  const ModelPrecision p = precision_for(Dtype::kBf16);
  auto cost = std::make_shared<LlmIterationCost>(m, g, p, kTp4);
  ReplicaSpec spec;
  size_replica_kv_cache(spec, m, g, p, kTp4, KvSizing{});
  Engine engine(3);
  Replica replica(engine, 0, spec, cost);
  replica.start(Time{}, Time{});
  // Two requests of 500 prompt tokens and 100 output tokens arrive together: one prefill of
  // both (its first tokens), then 99 decode steps of 2 sequences whose contexts grow from 501
  // (the fused runs price them as Σ (first + (j − 1)·growth), exact for decode's linear FLOPs).
  replica.enqueue({0, Time{}, 500, 100});
  replica.enqueue({1, Time{}, 500, 100});
  engine.run();
  REQUIRE(replica.completed() == 2);
  const std::vector<PrefillChunk> both{{500, 0}, {500, 0}};
  double expected = cost->price(BatchShape{both, 0, 0}).flops;
  for (std::int64_t j = 0; j < 99; ++j) expected += cost->price(BatchShape{{}, 2, 2 * (500 + j)}).flops;
  // By hand: 2·p FLOPs per token of ~69e9 parameters, 1,198 tokens, plus attention: ~1.7e14.
  CHECK(expected > 2 * 68e9 * 1198);
  CHECK(replica.flops_executed() == Approx(expected).epsilon(1e-9));
  CHECK(replica.iterations() == 100);
}

TEST_CASE("a fused decode run priced at once costs each step exactly what it costs alone") {
  // LlmIterationCost::decode_run_times shares the dense layers, head and communication of the
  // run's steps; the result must be the per-step price to the nanosecond, over dense and MoE
  // models, one GPU and TP groups, with and without a placement's communication prices.
  struct Case {
    const char* model;
    const char* gpu;
    ParallelPlan plan;
    bool placed;
  };
  const Case cases[] = {{"llama-2-7b", "a100-80gb-sxm", {1, 1, 1, 1}, false},
                        {"llama-2-70b", "h100-sxm", kTp4, false},
                        {"llama-2-70b", "h100-sxm", kTp4, true},
                        {"mixtral-8x7b", "h100-sxm", {2, 1, 1, 1}, false},
                        {"llama-2-70b", "l40s", {4, 2, 1, 1}, true}};
  // And with an engine's costs: eager dispatch (hidden or not), kernel gaps, host work, GEMM
  // and attention efficiencies, a decode-attention stream limit, graphs up to 32 sequences.
  EngineProfile engine;
  engine.name = "test";
  engine.kernels_per_layer = 12;
  engine.kernels_per_iteration = 6;
  engine.kernel_gap_s = 2e-6;
  engine.kernel_dispatch_s = 20e-6;
  engine.cuda_graph_max_sequences = 32;
  engine.host_iteration_s = 4e-3;
  engine.host_sequence_s = 10e-6;
  engine.gemm_half_tokens = 64;
  engine.attention_efficiency = 0.6;
  engine.attention_half_context = 256;
  engine.attention_stream_bytes_per_s = 100e9;
  for (const EngineProfile& e : {EngineProfile{}, engine})
    for (const Case& c : cases) {
      CommunicationCost placed;
      if (c.placed) {
        placed.tp_all_reduce_s = [](double bytes) { return 3e-6 + bytes / 170e9; };
        placed.pp_send_s = [](double bytes) { return 5e-6 + bytes / 40e9; };
      }
      const LlmIterationCost cost(testing::model(c.model), testing::gpu(c.gpu), precision_for(Dtype::kBf16), c.plan,
                                  placed, e);
      for (const std::int64_t n : {1, 3, 32, 255}) {
        for (const std::int64_t context : {n, 7 * n + 5, 1000 * n + 17, 30'000 * n}) {
          std::vector<Time> run(64);
          cost.decode_run_times(n, context, run);
          for (std::size_t i = 0; i < run.size(); ++i) {
            const BatchShape step{{}, n, context + static_cast<std::int64_t>(i) * n};
            REQUIRE(run[i] == cost.iteration_time(step));
          }
        }
      }
    }
}

TEST_CASE("token terms of one shape price another with the same tokens exactly, and refuse other token counts") {
  const IterationModel model(testing::model("llama-2-70b"), testing::gpu("h100-sxm"), precision_for(Dtype::kBf16),
                             kTp4);
  const IterationShape a = decode_shape(16, 900) + prefill_shape(1, 512, 2048);
  const IterationShape b = decode_shape(16, 4000) + prefill_shape(1, 512, 0);  // same new and logit tokens
  const IterationModel::TokenTerms terms = model.token_terms(a);
  const PhaseTime shared = model.time(terms, b);
  const PhaseTime alone = model.time(b);
  CHECK(shared.seconds() == alone.seconds());
  CHECK(shared.gpu.compute_s == alone.gpu.compute_s);
  CHECK(shared.gpu.memory_s == alone.gpu.memory_s);
  CHECK(shared.gpu.compute_bound_s == alone.gpu.compute_bound_s);
  CHECK(shared.tp_comm_s == alone.tp_comm_s);
  CHECK_THROWS_AS(model.time(terms, decode_shape(17, 900)), std::invalid_argument);
}

TEST_CASE("an EP replica's iteration waits on its busiest attention group") {
  const TransformerSpec& m = testing::model("mixtral-8x7b");
  const GpuSpec& g = testing::gpu("h100-sxm");
  const ModelPrecision p = precision_for(Dtype::kBf16);
  const ParallelPlan ep8{1, 1, 8, 8};
  const LlmIterationCost cost(m, g, p, ep8);
  // 9 decode sequences over 8 groups: the busiest holds 2.
  CHECK(cost.iteration_time(BatchShape{{}, 9, 9 * 1000}) ==
        Time::from_seconds_ceil(cost.model().time(decode_shape(2, 1000)).seconds()));
  // Prompt chunks go whole to the least loaded group, largest first: each of the three to a
  // group of its own, the busiest holding the 3000-token chunk.
  const std::vector<PrefillChunk> chunks{{500, 0}, {3000, 0}, {1000, 0}};
  CHECK(cost.iteration_time(BatchShape{chunks, 0, 0}) ==
        Time::from_seconds_ceil(cost.model().time(prefill_shape(1, 3000)).seconds()));
  // A fused decode run prices each step as a lone step would.
  std::vector<Time> run(3);
  cost.decode_run_times(16, 16 * 500, run);
  for (std::size_t i = 0; i < run.size(); ++i)
    CHECK(run[i] == cost.iteration_time(BatchShape{{}, 16, 16 * 500 + static_cast<std::int64_t>(i) * 16}));
}

TEST_CASE("an EP replica's KV cache spans all its GPUs while a token's KV lies on one attention group") {
  const TransformerSpec& m = testing::model("mixtral-8x7b");
  const GpuSpec& g = testing::gpu("h100-sxm");
  const ModelPrecision p = precision_for(Dtype::kBf16);
  const KvSizing vllm{KvBudget::kTotalFraction, 0.9, 0.5 * (1u << 30), 0};
  ReplicaSpec spec;
  spec.max_num_seqs = 256;
  spec.max_batched_tokens = 8192;
  size_replica_kv_cache(spec, m, g, p, ParallelPlan{1, 1, 8, 8}, vllm);
  CHECK(spec.gpus == 8);
  // 32 layers x 8 KV heads x 128 x 2 (K and V) x 2 bytes on the group's one GPU.
  CHECK(spec.kv_bytes_per_token == 32.0 * 8 * 128 * 2 * 2);
  const TransformerCost cost(m, p, ParallelPlan{1, 1, 8, 8});
  const KvBudgetPerGpu budget = kv_cache_budget_per_gpu(cost, g.memory_bytes, vllm, 8192, 256);
  CHECK(spec.kv_cache_bytes == Approx(8 * budget.kv_cache_bytes).epsilon(1e-12));
}
