#include <catch2/catch.hpp>

#include <cmath>
#include <stdexcept>

#include "sim/serving/pool_selector.hpp"

using namespace cs;

namespace {
// Pools 0 and 1 serve the 70B model 70/30; pool 2 serves the 8B model alone.
std::vector<PoolTarget> mixed_pools() {
  return {{"llama-2-70b", 0.7}, {"llama-2-70b", 0.3}, {"llama-3-8b", 1.0}};
}
}  // namespace

TEST_CASE("a random 70/30 split over 10,000 requests lands within five binomial standard deviations") {
  RandomStream rng(42);
  PoolSelector selector({{"m", 70}, {"m", 30}}, PoolSplit::kRandom, &rng);
  int first = 0;
  for (int i = 0; i < 10'000; ++i) first += selector.select("m") == 0;
  // Binomial(n = 10,000, p = 0.7): mean 7,000, sd = sqrt(10,000 · 0.7 · 0.3) = 45.8; five sd
  // = 229 (a fair coin misses that by chance with probability ~6e-7).
  CHECK(std::abs(first - 7000) <= 229);
  // And it is a draw, not a schedule: not exactly 7,000 for this seed.
  CHECK(first != 7000);
}

TEST_CASE("smooth weighted round robin keeps every pool within one request of its share at every point") {
  PoolSelector selector({{"m", 0.7}, {"m", 0.3}}, PoolSplit::kSmoothRoundRobin, nullptr);
  int first = 0;
  double worst = 0;
  for (int n = 1; n <= 10'000; ++n) {
    first += selector.select("m") == 0;
    worst = std::max(worst, std::abs(first - 0.7 * n));
  }
  CHECK(first == 7000);
  CHECK(worst < 1.0);
}

TEST_CASE("smooth weighted round robin interleaves a 70/30 split as 7 of every 10 in a fixed order") {
  PoolSelector selector({{"m", 7}, {"m", 3}}, PoolSplit::kSmoothRoundRobin, nullptr);
  // Credits in tenths (+7, +3 per pick; the chosen one pays 10; a tie goes to pool 0):
  // (7,3)→0 (4,6)→1 (11,-1)→0 (8,2)→0 (5,5)→0 (2,8)→1 (9,1)→0 (6,4)→0 (3,7)→1 (10,0)→0,
  // back to (0,0): the cycle repeats.
  const std::vector<std::size_t> expected = {0, 1, 0, 0, 0, 1, 0, 0, 1, 0};
  for (int round = 0; round < 3; ++round)
    for (std::size_t e : expected) CHECK(selector.select("m") == e);
}

TEST_CASE("requests naming a model reach only the pools serving that model") {
  for (PoolSplit split : {PoolSplit::kSmoothRoundRobin, PoolSplit::kRandom}) {
    RandomStream rng(7);
    PoolSelector selector(mixed_pools(), split, &rng);
    for (int i = 0; i < 1000; ++i) {
      const std::size_t big = selector.select("llama-2-70b");
      CHECK((big == 0 || big == 1));
      CHECK(selector.select("llama-3-8b") == 2);
    }
    // Catalog spelling: case and '_' for '-' do not matter.
    CHECK(selector.select("Llama_3_8B") == 2);
    CHECK(selector.select("gpt-3") == PoolSelector::kNoPool);
    // Two models served: a request naming none has no pool.
    CHECK(selector.select("") == PoolSelector::kNoPool);
    CHECK(selector.models() == std::vector<std::string>{"llama-2-70b", "llama-3-8b"});
  }
}

TEST_CASE("a request naming no model goes to the only model served") {
  PoolSelector selector({{"llama-2-70b", 1}, {"llama-2-70b", 1}}, PoolSplit::kSmoothRoundRobin, nullptr);
  CHECK(selector.select("") == 0);
  CHECK(selector.select("") == 1);
  CHECK(selector.serves("llama-2-70b"));
  CHECK_FALSE(selector.serves("llama-3-8b"));
}

TEST_CASE("a pool selector refuses shares that are not positive and a random split without a stream") {
  CHECK_THROWS_AS(PoolSelector({{"m", 1}, {"m", 0}}, PoolSplit::kSmoothRoundRobin, nullptr), std::invalid_argument);
  CHECK_THROWS_AS(PoolSelector({{"m", -1}}, PoolSplit::kSmoothRoundRobin, nullptr), std::invalid_argument);
  CHECK_THROWS_AS(PoolSelector({}, PoolSplit::kSmoothRoundRobin, nullptr), std::invalid_argument);
  CHECK_THROWS_AS(PoolSelector({{"m", 1}}, PoolSplit::kRandom, nullptr), std::invalid_argument);
}
