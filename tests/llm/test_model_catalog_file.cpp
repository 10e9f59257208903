#include <catch2/catch.hpp>

#include <cstdio>

#include "catalog_fixture.hpp"

using namespace cs;
using cs::testing::model;
using cs::testing::repo_models;

TEST_CASE("every catalog model's parameter count from its architecture is within 2% of the published size") {
  for (const char* name : {"gpt-3-175b", "gpt-j-6b", "llama-65b", "llama-2-7b", "llama-2-13b", "llama-2-70b",
                           "llama-3-8b", "llama-3-70b", "llama-3.1-8b", "llama-3.1-70b", "llama-3-405b",
                           "mixtral-8x7b", "mixtral-8x22b", "deepseek-v3", "deepseek-v2-lite"}) {
    INFO(name);
    REQUIRE(repo_models().contains(name));
    const TransformerSpec& m = model(name);
    REQUIRE(m.published_params > 0);
    const double counted = count_parameters(m).total();
    CHECK(counted == Approx(m.published_params).epsilon(0.02));
    CHECK_FALSE(m.source.empty());
  }
}

TEST_CASE("GPT-3's count follows 12 h^2 per layer plus embeddings") {
  // Per layer: attention 4h^2 + 4h biases, FFN 8h^2 + 5h biases, two LayerNorms 4h.
  // 96 * (12 * 12288^2 + 13 * 12288) = 96 * 1,812,099,072 = 173,961,510,912; token table
  // 50257 * 12288 and positions 2048 * 12288 add 642,723,840; final LayerNorm 24,576
  // -> 174,604,259,328 (0.2% under the rounded 175B).
  const ParameterCount c = count_parameters(model("gpt-3-175b"));
  CHECK(c.total() == 174'604'259'328.0);
  CHECK(c.lm_head == 0);  // tied
}

TEST_CASE("Llama-2-70B's count matches its released checkpoint exactly") {
  // meta-llama/Llama-2-70b-hf: 68,976,648,192 parameters.
  CHECK(count_parameters(model("llama-2-70b")).total() == 68'976'648'192.0);
}

TEST_CASE("Mixtral holds 8 experts but a token uses 2: 46.7B total, 12.9B active") {
  const ParameterCount c = count_parameters(model("mixtral-8x7b"));
  CHECK(c.total() == Approx(46.7e9).epsilon(0.005));
  CHECK(c.active() == Approx(12.9e9).epsilon(0.005));
}

TEST_CASE("aliases find catalog models") {
  CHECK(model("gpt-3").name == "gpt-3-175b");
  CHECK(model("llama-3.1-405b").name == "llama-3-405b");
  CHECK_THROWS_WITH(model("llama-4"), Catch::StartsWith("unknown model 'llama-4'; known models: deepseek-v2-lite, deepseek-v3, gpt-3-175b"));
}

TEST_CASE("Llama 3.1 has its 128k context window and Llama 3 its 8k, as separate entries") {
  CHECK(model("llama-3-8b").max_context == 8192);
  CHECK(model("llama-3-70b").max_context == 8192);
  CHECK(model("llama-3.1-8b").max_context == 131072);
  CHECK(model("llama-3.1-70b").max_context == 131072);
  CHECK(model("llama-3.1-405b").max_context == 131072);
  CHECK(model("llama-3.1-70b").name == "llama-3.1-70b");
}
