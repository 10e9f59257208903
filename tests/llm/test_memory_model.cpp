#include <catch2/catch.hpp>

#include "catalog_fixture.hpp"
#include "sim/llm/memory_model.hpp"

using namespace cs;
using cs::testing::model;

namespace {
constexpr double kGiB = double(1ull << 30);
}

TEST_CASE("serving memory is weights plus every resident token's KV plus workspace") {
  const TransformerSpec& m = model("llama-2-70b");
  const TransformerCost cost(m, precision_for(Dtype::kBf16), ParallelPlan{4, 1, 1, 1});
  const InferenceLoad load{8, 4096, 8 * 1024};
  MemoryOptions options;
  options.reserve_bytes = 2 * kGiB;
  const InferenceMemory mem = inference_memory_per_gpu(cost, load, options);
  // Weights: a quarter of 68.98e9 params * 2 B = 34.49 GB (plus a sliver of replicated norms).
  CHECK(mem.weights_bytes == Approx(68'976'648'192.0 * 2 / 4).epsilon(1e-4));
  // KV: 8 sequences * 4096 tokens * 327,680 B / 4 GPUs = 2.68 GB.
  CHECK(mem.kv_cache_bytes == 8.0 * 4096 * 327'680 / 4);
  // Workspace: reserve + 8192 tokens * (2h + 3f/4) * 2 B (the FFN block is the widest) + 8
  // sequences' logits over the whole 32,000-token vocabulary in fp32.
  CHECK(mem.workspace_bytes == 2 * kGiB + 8192.0 * (2 * 8192 + 3 * 28672 / 4.0) * 2 + 8 * 32000.0 * 4);
  CHECK(mem.total() == mem.weights_bytes + mem.kv_cache_bytes + mem.workspace_bytes);
}

TEST_CASE("pipeline stages split layers evenly, the first stages taking the remainder") {
  const TransformerSpec& m = model("llama-2-70b");  // 80 layers
  CHECK(stage_layout(m, 1).first_stage_layers == 80);
  CHECK(stage_layout(m, 3).first_stage_layers == 27);
  CHECK(stage_layout(m, 3).last_stage_layers == 26);
  const TransformerCost pp1(m, precision_for(Dtype::kBf16), ParallelPlan{1, 1, 1, 1});
  const TransformerCost pp4(m, precision_for(Dtype::kBf16), ParallelPlan{1, 4, 1, 1});
  const InferenceLoad idle{1, 0, 0};
  // 20 layers + the embedding (or the LM head) on the fullest stage.
  CHECK(inference_memory_per_gpu(pp4, idle).weights_bytes ==
        Approx(20 * pp1.layer_weight_bytes_per_gpu() + pp1.embedding_bytes_per_gpu()));
}

TEST_CASE("mixed-precision Adam needs 16 bytes per parameter, divided by ZeRO stage by stage") {
  const TransformerSpec& m = model("llama-2-7b");
  const ParallelPlan plan{1, 1, 8, 1};
  const TransformerCost cost(m, precision_for(Dtype::kBf16), plan);
  const double p = parameters_per_gpu(cost);
  CHECK(p == Approx(count_parameters(m).total()).epsilon(1e-5));
  TrainingOptions o;
  auto states = [&](int stage) {
    o.zero_stage = stage;
    const TrainingMemory t = training_memory_per_gpu(cost, o);
    return (t.weights_bytes + t.gradients_bytes + t.optimizer_bytes) / p;
  };
  CHECK(states(0) == Approx(16));  // 2 + 2 + 12
  CHECK(states(1) == Approx(2 + 2 + 12 / 8.0));
  CHECK(states(2) == Approx(2 + 14 / 8.0));
  CHECK(states(3) == Approx(16 / 8.0));
  o.zero_stage = 4;
  CHECK_THROWS_AS(training_memory_per_gpu(cost, o), std::invalid_argument);
}

TEST_CASE("activations follow Korthikanti et al., and full recomputation keeps only layer inputs") {
  const TransformerSpec& m = model("llama-2-7b");  // h = 4096, 32 layers, vocab 32000
  const TransformerCost cost(m, precision_for(Dtype::kBf16), ParallelPlan{1, 1, 1, 1});
  TrainingOptions o;
  o.sequence_length = 4096;
  o.micro_batch = 1;
  const double sbh = 4096.0 * 1 * 4096;
  const double logits = 4096.0 * 32000 * 4;
  // 34 s b h per layer with FlashAttention (no s^2 scores), 32 layers.
  CHECK(training_memory_per_gpu(cost, o).activations_bytes == Approx(34 * sbh * 32 + logits));
  // Without FlashAttention the attention scores add 5 a s^2 b per layer.
  o.flash_attention = false;
  CHECK(training_memory_per_gpu(cost, o).activations_bytes ==
        Approx((34 * sbh + 5.0 * 32 * 4096 * 4096) * 32 + logits));
  // Recomputation: 2 s b h per layer plus one layer being recomputed.
  o.recompute_activations = true;
  CHECK(training_memory_per_gpu(cost, o).activations_bytes ==
        Approx(2 * sbh * 32 + (34 * sbh + 5.0 * 32 * 4096 * 4096) + logits));
}

TEST_CASE("sequence parallelism splits the activations tensor parallelism leaves replicated") {
  const TransformerSpec& m = model("llama-2-70b");  // h = 8192, 80 layers
  const TransformerCost cost(m, precision_for(Dtype::kBf16), ParallelPlan{8, 1, 1, 1});
  TrainingOptions o;
  o.sequence_length = 4096;
  const double sbh = 4096.0 * 8192;
  const double logits = 4096.0 * 32000 / 8 * 4;
  CHECK(training_memory_per_gpu(cost, o).activations_bytes == Approx(34.0 / 8 * sbh * 80 + logits));
  o.sequence_parallel = false;  // 10 s b h stay whole on every rank
  CHECK(training_memory_per_gpu(cost, o).activations_bytes == Approx((10 + 24.0 / 8) * sbh * 80 + logits));
}

TEST_CASE("the activation peak is one layer's widest point for every batched token, plus the gathered logits") {
  // Llama-2-70B at TP4: hidden 8192, 64 query and 8 KV heads of 128, SwiGLU FFN of 28,672.
  const TransformerCost llama(model("llama-2-70b"), precision_for(Dtype::kBf16), ParallelPlan{4, 1, 1, 1});
  // Attention block per token: QKV (64 + 16) x 128 / 4 = 2,560 + output 64 x 128 / 4 = 2,048;
  // FFN block: gate/up 2 x 28,672 / 4 + SiLU-and-mul 28,672 / 4 = 21,504, the wider.
  // 8,192 tokens x (2 x 8,192 + 21,504) x 2 B = 620.8 MB; 256 x 32,000 x 4 B = 32.8 MB of logits.
  CHECK(activation_peak_bytes(llama, 8192, 256) == 8192.0 * (2 * 8192 + 21504) * 2 + 256 * 32000.0 * 4);
  // Mixtral 8x7B at TP2: each token passes 2 experts, so the FFN block is 2 x 3 x 14,336 / 2 =
  // 43,008 per token (attention: (32 + 16) x 128 / 2 + 32 x 128 / 2 = 5,120).
  const TransformerCost mixtral(model("mixtral-8x7b"), precision_for(Dtype::kBf16), ParallelPlan{2, 1, 1, 1});
  CHECK(activation_peak_bytes(mixtral, 4096, 1) == 4096.0 * (2 * 4096 + 43008) * 2 + 32000.0 * 4);
}

TEST_CASE("vLLM budgets its KV cache from the whole GPU, TensorRT-LLM from what is left free") {
  const TransformerCost cost(model("llama-2-70b"), precision_for(Dtype::kBf16), ParallelPlan{4, 1, 1, 1});
  const double gpu = 80 * kGiB;
  const double weights = inference_memory_per_gpu(cost, {1, 0, 0}).weights_bytes;  // ~34.5 GB
  const double act = 8192.0 * (2 * 8192 + 21504) * 2 + 256 * 32000.0 * 4;          // as above
  KvSizing vllm{KvBudget::kTotalFraction, 0.9, 0.5 * kGiB, 0};
  const KvBudgetPerGpu v = kv_cache_budget_per_gpu(cost, gpu, vllm, 8192, 256);
  CHECK(v.weights_bytes == weights);
  CHECK(v.activation_bytes == act);
  CHECK(v.runtime_bytes == 0.5 * kGiB);
  // 72 GiB - 32.1 GiB - 0.61 GiB - 0.5 GiB = 38.8 GiB.
  CHECK(v.kv_cache_bytes == Approx(0.9 * gpu - weights - act - 0.5 * kGiB));
  CHECK(v.kv_cache_bytes / kGiB == Approx(38.8).margin(0.05));
  // 90% of the 46.5 GiB free = 41.9 GiB: the free-memory budget leaves more here, since the
  // weights' share of the 10% headroom is not held back.
  const KvSizing trt{KvBudget::kFreeFraction, 0.9, 0.5 * kGiB, 0.25 * kGiB};
  const KvBudgetPerGpu t = kv_cache_budget_per_gpu(cost, gpu, trt, 8192, 256);
  CHECK(t.runtime_bytes == 0.75 * kGiB);
  CHECK(t.kv_cache_bytes == Approx(0.9 * (gpu - weights - act - 0.75 * kGiB)));
  CHECK(t.kv_cache_bytes > v.kv_cache_bytes);
}
