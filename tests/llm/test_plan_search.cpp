#include <catch2/catch.hpp>

#include "catalog_fixture.hpp"
#include "sim/llm/plan_search.hpp"

using namespace cs;
using cs::testing::gpu;
using cs::testing::model;

namespace {
// One chat request held at 1024 + 256 tokens, its prompt prefilled at once.
const InferenceLoad kOneChat{1, 1280, 1024};
const ModelPrecision kBf16 = precision_for(Dtype::kBf16);
}  // namespace

TEST_CASE("the smallest plan grows tensor parallelism first") {
  // Llama-2-70B in bf16 is 138 GB: two H100s (2 x 80 GiB) hold 69 GB each with room for KV.
  const auto h100 = smallest_inference_plan(model("llama-2-70b"), gpu("h100-sxm"), kBf16, kOneChat);
  REQUIRE(h100);
  CHECK(h100->tp == 2);
  CHECK(h100->pp == 1);
  // A100 40GB: 34.5 GB of weights per GPU at tp=4, 39.5 GB with reserve and KV, under 40 GiB.
  const auto a100 = smallest_inference_plan(model("llama-2-70b"), gpu("a100-40gb-sxm"), kBf16, kOneChat);
  REQUIRE(a100);
  CHECK(a100->tp == 4);
  // L4 has no NVLink: TP over PCIe inside one 8-GPU server, 17 GB per 24 GB card.
  const auto l4 = smallest_inference_plan(model("llama-2-70b"), gpu("l4"), kBf16, kOneChat);
  REQUIRE(l4);
  CHECK(l4->tp == 8);
  // A 7B model fits one GPU.
  CHECK(smallest_inference_plan(model("llama-2-7b"), gpu("h100-sxm"), kBf16, kOneChat)->replica_gpus() == 1);
}

TEST_CASE("past the NVLink domain the smallest plan adds pipeline stages") {
  // Llama-3-405B in bf16: 812 GB; 8 H100s hold 640 GiB, so two stages of 8.
  const auto plan = smallest_inference_plan(model("llama-3-405b"), gpu("h100-sxm"), kBf16, kOneChat);
  REQUIRE(plan);
  CHECK(plan->tp == 8);
  CHECK(plan->pp == 2);
  // In fp8 it is 406 GB and one node suffices.
  const auto fp8 =
      smallest_inference_plan(model("llama-3-405b"), gpu("h100-sxm"), precision_for(Dtype::kFp8), kOneChat);
  REQUIRE(fp8);
  CHECK(fp8->replica_gpus() == 8);
  // Within 8 GPUs the bf16 model has no plan at all.
  CHECK_FALSE(smallest_inference_plan(model("llama-3-405b"), gpu("h100-sxm"), kBf16, kOneChat, {}, 8));
}

TEST_CASE("a plan that does not fit says needed vs available memory and the smallest plan that fits") {
  const FitCheck check =
      check_inference_fit(model("llama-3-405b"), gpu("h100-sxm"), kBf16, ParallelPlan{8, 1, 1, 1}, kOneChat);
  CHECK_FALSE(check.fits);
  CHECK(check.available_per_gpu == 80 * double(1ull << 30));
  // 405.85e9 params * 2 B / 8 = 101.5 GB = 94.5 GiB of weights alone.
  CHECK(check.needed_per_gpu.weights_bytes == Approx(405.85e9 * 2 / 8).epsilon(1e-3));
  const std::string msg =
      no_fit_message(check, model("llama-3-405b"), gpu("h100-sxm"),
                     smallest_inference_plan(model("llama-3-405b"), gpu("h100-sxm"), kBf16, kOneChat));
  CHECK_THAT(msg, Catch::Contains("needs 9") && Catch::Contains("GiB per GPU") &&
                      Catch::Contains("h100-sxm has 80.0 GiB") &&
                      Catch::Contains("smallest plan that fits is tp=8 pp=2 dp=1 (16 GPUs)"));
  CHECK_THAT(no_fit_message(check, model("llama-3-405b"), gpu("h100-sxm"), std::nullopt),
             Catch::Contains("enable weight streaming"));
}

TEST_CASE("plans that cannot split the model are rejected with the reason") {
  CHECK_THROWS_WITH(validate(ParallelPlan{3, 1, 1, 1}, model("llama-2-70b")), Catch::Contains("tp must divide the 64"));
  CHECK_THROWS_WITH(validate(ParallelPlan{1, 81, 1, 1}, model("llama-2-70b")), Catch::Contains("80 layers"));
  CHECK_THROWS_WITH(validate(ParallelPlan{1, 1, 2, 2}, model("llama-2-70b")), Catch::Contains("mixture-of-experts"));
  CHECK_NOTHROW(validate(ParallelPlan{2, 1, 4, 4}, model("mixtral-8x7b")));
  CHECK_THROWS_WITH(validate(ParallelPlan{2, 1, 2, 4}, model("mixtral-8x7b")), Catch::Contains("divide dp"));
}

TEST_CASE("expert parallelism divides the experts' memory among the ep ranks") {
  const TransformerSpec& m = model("mixtral-8x7b");
  const ParameterCount p = count_parameters(m);
  const TransformerCost ep1(m, kBf16, ParallelPlan{1, 1, 4, 1});
  const TransformerCost ep4(m, kBf16, ParallelPlan{1, 1, 4, 4});
  CHECK(ep1.layer_weight_bytes_per_gpu() - ep4.layer_weight_bytes_per_gpu() == Approx(6 * p.expert_ffn * 2));
}
