#include <catch2/catch.hpp>

#include "sim/serving/kv_transfer.hpp"

using namespace cs;

TEST_CASE("equal TP sizes send each rank's KV heads to the same rank on the other side") {
  const auto shards = kv_shards(4, 4);
  REQUIRE(shards.size() == 4);
  for (int i = 0; i < 4; ++i) {
    CHECK(shards[static_cast<std::size_t>(i)].from == i);
    CHECK(shards[static_cast<std::size_t>(i)].to == i);
    CHECK(shards[static_cast<std::size_t>(i)].fraction == Approx(0.25));
  }
}

TEST_CASE("a TP2 prefill replica sends each half of its heads to two ranks of a TP4 decode replica") {
  // Rank 0 holds heads [0, 1/2): decode ranks 0 and 1 hold [0, 1/4) and [1/4, 1/2).
  const auto shards = kv_shards(2, 4);
  REQUIRE(shards.size() == 4);
  CHECK(shards[0].from == 0);
  CHECK(shards[0].to == 0);
  CHECK(shards[1].from == 0);
  CHECK(shards[1].to == 1);
  CHECK(shards[2].from == 1);
  CHECK(shards[2].to == 2);
  double sum = 0;
  for (const auto& s : shards) {
    CHECK(s.fraction == Approx(0.25));
    sum += s.fraction;
  }
  CHECK(sum == Approx(1.0));
}

TEST_CASE("TP sizes that do not divide each other split the heads by their overlaps") {
  // TP3 → TP2: rank 1 of 3 holds [1/3, 2/3), half of it on each decode rank (1/6 each).
  const auto shards = kv_shards(3, 2);
  REQUIRE(shards.size() == 4);
  CHECK(shards[0].fraction == Approx(1.0 / 3));  // 0 → 0
  CHECK(shards[1].fraction == Approx(1.0 / 6));  // 1 → 0
  CHECK(shards[2].fraction == Approx(1.0 / 6));  // 1 → 1
  CHECK(shards[3].fraction == Approx(1.0 / 3));  // 2 → 1
}

TEST_CASE("after the prefill the whole prompt's KV is left to send") {
  CHECK(kv_bytes_left_at_prefill_end(KvTransferMode::kAfterPrefill, 8e9, 80, Time::s(1), 50e9) == 8e9);
}

TEST_CASE("layer by layer on a link that keeps pace only the last layer's share is left at the prefill's end") {
  // 80 layers of 100 MB computed in 1 s (12.5 ms each); a 50 GB/s link sends a layer in 2 ms.
  CHECK(kv_bytes_left_at_prefill_end(KvTransferMode::kLayerwise, 8e9, 80, Time::s(1), 50e9) == Approx(1e8));
}

TEST_CASE("layer by layer on a link slower than the compute the backlog is left as well") {
  // 80 layers of 100 MB in 1 s on a 4 GB/s link: busy from the first layer's end (12.5 ms) to
  // the prefill's end, it sent 4e9 x 0.9875 s = 3.95 GB of the 8 GB.
  CHECK(kv_bytes_left_at_prefill_end(KvTransferMode::kLayerwise, 8e9, 80, Time::s(1), 4e9) ==
        Approx(8e9 - 4e9 * 0.9875));
}
