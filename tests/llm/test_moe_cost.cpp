#include <catch2/catch.hpp>

#include "catalog_fixture.hpp"
#include "sim/hardware/link_estimate.hpp"
#include "sim/llm/iteration_model.hpp"
#include "sim/llm/transformer_cost.hpp"

using namespace cs;
using cs::testing::model;

namespace {
const ModelPrecision kBf16 = precision_for(Dtype::kBf16);

ParallelPlan expert_plan(int tp, int ep, double skew = 1) {
  ParallelPlan p{tp, 1, ep, ep};
  p.expert_skew = skew;
  return p;
}
}  // namespace

TEST_CASE("an MoE all-to-all sends tokens x top_k x hidden x dtype bytes, (EP-1)/EP of it off the GPU") {
  const TransformerSpec& m = model("mixtral-8x7b");
  const TransformerCost cost(m, kBf16, expert_plan(1, 4));
  // 64 decode tokens, each to 2 experts, 4096 bf16 values: 64 * 2 * 4096 * 2 = 1,048,576 bytes.
  const IterationShape decode = decode_shape(64, 1000);
  CHECK(cost.ep_all_to_all_bytes(decode) == 1'048'576.0);
  // Priced on the GPU link (no placement): each GPU's buffer goes 3/4 off it, dispatch and
  // combine in all 32 MoE layers, plus 3 latency steps per all-to-all.
  const GpuSpec& gpu = cs::testing::gpu("h100-sxm");
  const IterationModel iteration(m, gpu, kBf16, expert_plan(1, 4));
  const LinkPath link = group_path(gpu, 4);
  const double one = 0.75 * 1'048'576.0 / link.bandwidth_bytes_per_s + 3 * link.latency.seconds();
  CHECK(iteration.time(decode).ep_comm_s == Approx(32 * 2 * one).epsilon(1e-12));
  // A dense model moves nothing; a plan without EP prices no all-to-all.
  CHECK(TransformerCost(model("llama-2-7b"), kBf16).ep_all_to_all_bytes(decode) == 0);
  CHECK(IterationModel(m, gpu, kBf16, ParallelPlan{2, 1, 1, 1}).time(decode).ep_comm_s == 0);
}

TEST_CASE("expert skew 1 gives the balanced time, and skew s makes the busiest EP rank do s x the routed FLOPs") {
  const TransformerSpec& m = model("mixtral-8x7b");
  const IterationShape prefill = prefill_shape(1, 4096);
  const KernelWork balanced = TransformerCost(m, kBf16, expert_plan(1, 8)).layer_dense_work(prefill);
  const KernelWork one = TransformerCost(m, kBf16, expert_plan(1, 8, 1.0)).layer_dense_work(prefill);
  CHECK(one.flops == balanced.flops);
  CHECK(one.bytes == balanced.bytes);
  const GpuSpec& gpu = cs::testing::gpu("h100-sxm");
  CHECK(IterationModel(m, gpu, kBf16, expert_plan(1, 8, 1.0)).time(prefill).seconds() ==
        IterationModel(m, gpu, kBf16, expert_plan(1, 8)).time(prefill).seconds());
  // Skew 1.5: half as much again of the 2 routed experts' GEMMs, 2 FLOPs per parameter per
  // token: 4096 * 0.5 * 2 * 2 * (3 * 4096 * 14336).
  const KernelWork skewed = TransformerCost(m, kBf16, expert_plan(1, 8, 1.5)).layer_dense_work(prefill);
  CHECK(skewed.flops - balanced.flops == Approx(4096 * 0.5 * 2 * 2 * (3.0 * 4096 * 14336)).epsilon(1e-12));
  CHECK(skewed.bytes == balanced.bytes);
  CHECK(IterationModel(m, gpu, kBf16, expert_plan(1, 8, 1.5)).time(prefill).seconds() >
        IterationModel(m, gpu, kBf16, expert_plan(1, 8)).time(prefill).seconds());
}

TEST_CASE("a Mixtral 8x7B decode step at batch 1 reads its 12.9B active parameters, not its 46.7B") {
  const TransformerSpec& m = model("mixtral-8x7b");
  const TransformerCost cost(m, kBf16);
  const IterationShape step = decode_shape(1, 0);  // no context: the bytes are the weights
  const double bytes = m.layers * (cost.layer_dense_work(step).bytes + cost.layer_attention_work(step).bytes) +
                       cost.embedding_work(step).bytes + cost.lm_head_work(step).bytes;
  const ParameterCount c = count_parameters(m);
  // The gather reads one embedding row, not the table; activations add ~0.01%.
  const double active_read = (c.active() - c.embedding + m.hidden) * 2;
  CHECK(bytes == Approx(active_read).epsilon(0.001));
  CHECK(bytes < 0.3 * c.total() * 2);
}

TEST_CASE("DeepSeek-V3 counts 671B parameters and 37B active, and caches a 576-value latent per layer") {
  const TransformerSpec& m = model("deepseek-v3");
  const ParameterCount c = count_parameters(m);
  // DeepSeek-V3 Technical Report Section 4.2: 671B total, 37B activated per token.
  CHECK(c.total() == Approx(671e9).epsilon(0.005));
  CHECK(c.active() == Approx(37e9).epsilon(0.02));
  // MLA: kv_lora_rank 512 + rope 64 values per token and layer, whole on every TP rank:
  // 61 * 576 * 2 bytes = 70,272 bytes per token (128 full heads would cache 61 * 2 * 128 * 128 * 2).
  CHECK(kv_cache_bytes_per_token(m, Dtype::kBf16) == 70'272.0);
  CHECK(TransformerCost(m, kBf16, ParallelPlan{8, 1, 1, 1}).kv_bytes_per_token_layer_per_gpu() == 576 * 2);
  // One MLA layer (DeepSeek-V2 Section 2.1.2): q 7168x1536 + norm + 1536x128x192, kv
  // 7168x576 + norm + 512x128x256, out 128x128x7168.
  CHECK(mla_attention_parameters(m) ==
        7168.0 * 1536 + 1536 + 1536.0 * 128 * 192 + 7168.0 * 576 + 512 + 512.0 * 128 * 256 + 128.0 * 128 * 7168);
}

TEST_CASE("DeepSeek-style dense first layers and shared experts enter the mean layer's FLOPs") {
  const TransformerSpec& m = model("deepseek-v2-lite");
  const TransformerCost cost(m, kBf16);
  // A lone token: 2 FLOPs per active matmul parameter (1 dense layer, 26 MoE layers of 6 routed
  // + 2 shared experts and the router, the LM head), plus attending to itself in each of the 27
  // layers, MLA's 2 x 16 heads x (2 x 128 + 64 rope) FLOPs per pair.
  const IterationShape token = decode_shape(1, 0);
  CHECK(cost.forward_flops(token) ==
        Approx(2 * count_parameters(m).active_matmul() + 27 * 2.0 * 16 * (2 * 128 + 64)).epsilon(1e-12));
}
