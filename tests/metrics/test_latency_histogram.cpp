#include <catch2/catch.hpp>

#include "sim/metrics/latency_histogram.hpp"

using cs::LatencyHistogram;

TEST_CASE("percentiles of 1..1000 ms are within 1% of the nearest-rank values") {
  LatencyHistogram h;
  for (int i = 1; i <= 1000; ++i) h.add(i * 1e-3);
  CHECK(h.count() == 1000);
  CHECK(h.mean() == Approx(0.5005));
  CHECK(h.quantile(0.50) == Approx(0.500).epsilon(0.01));  // rank 500 -> 500 ms
  CHECK(h.quantile(0.99) == Approx(0.990).epsilon(0.01));  // rank 990 -> 990 ms
  CHECK(h.quantile(1.0) == Approx(1.000).epsilon(0.01));
  CHECK(h.quantile(0.0) == Approx(0.001).epsilon(0.01));
  CHECK(h.max() == 1.0);
}

TEST_CASE("zero latencies count toward the low percentiles") {
  LatencyHistogram h;
  for (int i = 0; i < 90; ++i) h.add(0.0);
  for (int i = 0; i < 10; ++i) h.add(2.0);
  CHECK(h.quantile(0.5) == 0.0);
  CHECK(h.quantile(0.95) == Approx(2.0).epsilon(0.01));
  CHECK_THROWS_AS(h.add(-1), std::invalid_argument);
  CHECK(LatencyHistogram().quantile(0.5) == 0.0);
}
