#include <catch2/catch.hpp>

#include "sim/cost/cost_formulas.hpp"

using namespace cs;

TEST_CASE("rented GPU time costs seconds over 3600 times the hourly price") {
  CHECK(usd_for_gpu_seconds(7200, 2.5) == 5.0);
  // 4 GPUs at $2/h making 1000 tokens/s: $8/h for 3.6M tokens -> $0.00222 per 1k tokens.
  CHECK(usd_per_1k_tokens(2.0, 4, 1000) == Approx(8.0 / 3600));
}

TEST_CASE("electricity is kWh times PUE times price") {
  CHECK(energy_kwh(1000, 3600) == 1.0);
  // 700 W for a year: 6,136 kWh; at $0.10/kWh and PUE 1.5: $920.
  CHECK(energy_usd(700, kSecondsPerYear, 0.10, 1.5) == Approx(0.7 * 8766 * 0.10 * 1.5));
  CHECK(ownership_usd(10'000, 300, 3, 0.10) == Approx(10'000 + 0.3 * 3 * 8766 * 0.10));
}
