#include <catch2/catch.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/engine/event_queue.hpp"

using namespace cs;
using namespace cs::time_literals;

namespace {
void drain(EventQueue& q, std::vector<Time>* times = nullptr) {
  while (!q.empty()) {
    Time t;
    Callback cb = q.pop(t);
    if (times) times->push_back(t);
    cb();
  }
}
}  // namespace

TEST_CASE("events run in time order whatever the insertion order") {
  EventQueue q;
  std::vector<int> ran;
  const int delays[] = {50, 10, 40, 20, 30, 0, 60};
  for (int d : delays) q.push(Time::ns(d), [&ran, d] { ran.push_back(d); });
  std::vector<Time> times;
  drain(q, &times);
  CHECK(ran == std::vector<int>{0, 10, 20, 30, 40, 50, 60});
  CHECK(times.front() == 0_ns);
  CHECK(times.back() == 60_ns);
}

TEST_CASE("equal times break ties by priority, then by insertion order") {
  EventQueue q;
  std::string ran;
  q.push(5_ns, [&] { ran += "m1 "; });
  q.push(
      5_ns, [&] { ran += "obs "; }, Priority::kObserve);
  q.push(5_ns, [&] { ran += "m2 "; });
  q.push(
      5_ns, [&] { ran += "ctl "; }, Priority::kControl);
  q.push(
      4_ns, [&] { ran += "early "; }, Priority::kObserve);
  q.push(5_ns, [&] { ran += "m3 "; });
  drain(q);
  CHECK(ran == "early ctl m1 m2 m3 obs ");
}

TEST_CASE("ties stay in insertion order across thousands of equal-time events") {
  EventQueue q;
  std::vector<int> ran;
  for (int i = 0; i < 5000; ++i) q.push(7_ns, [&ran, i] { ran.push_back(i); });
  drain(q);
  REQUIRE(ran.size() == 5000);
  for (int i = 0; i < 5000; ++i) REQUIRE(ran[i] == i);
}

TEST_CASE("a cancelled event never runs and its handle goes stale") {
  EventQueue q;
  std::vector<int> ran;
  auto a = q.push(1_ns, [&] { ran.push_back(1); });
  auto b = q.push(2_ns, [&] { ran.push_back(2); });
  auto c = q.push(3_ns, [&] { ran.push_back(3); });
  CHECK(q.size() == 3);
  CHECK(q.cancel(b));
  CHECK_FALSE(q.cancel(b));  // second cancel is a no-op
  CHECK_FALSE(q.is_pending(b));
  CHECK(q.is_pending(a));
  CHECK(q.size() == 2);
  drain(q);
  CHECK(ran == std::vector<int>{1, 3});
  CHECK_FALSE(q.cancel(c));  // already ran
}

TEST_CASE("a recycled slot does not revive a cancelled handle") {
  EventQueue q;
  int ran = 0;
  auto old = q.push(10_ns, [&] { ran += 1; });
  q.cancel(old);
  q.push(20_ns, [&] { ran += 100; });
  CHECK(q.next_time() == 20_ns);  // the cancelled key surfaces and its slot is freed
  auto fresh = q.push(30_ns, [&] { ran += 10; });
  CHECK(fresh.slot == old.slot);  // slot reused...
  CHECK_FALSE(q.cancel(old));     // ...but the old handle cannot cancel the new event
  CHECK(q.is_pending(fresh));
  drain(q);
  CHECK(ran == 110);
}

TEST_CASE("cancelling the earliest event exposes the next one") {
  EventQueue q;
  auto first = q.push(1_ns, [] {});
  q.push(9_ns, [] {});
  q.cancel(first);
  CHECK(q.next_time() == 9_ns);
  q.cancel(q.push(0_ns, [] {}));
  CHECK(q.next_time() == 9_ns);
}

TEST_CASE("an action that throws still frees its slot and its callback") {
  EventQueue q;
  auto held = std::make_shared<int>(7);  // captured: its count shows whether the callback was destroyed
  const EventHandle thrower = q.push(5_ns, [held] { throw std::runtime_error("model bug"); });
  REQUIRE(held.use_count() == 2);
  Time now;
  CHECK_THROWS_AS(q.run_due(10_ns, now), std::runtime_error);
  CHECK(now == 5_ns);
  CHECK(q.empty());
  CHECK(held.use_count() == 1);  // the throwing callback was destroyed, not kept in a dead slot
  CHECK_FALSE(q.is_pending(thrower));
  // The slot went back to the free list: the next event takes it instead of growing the slab.
  int ran = 0;
  const EventHandle next = q.push(6_ns, [&ran] { ++ran; });
  CHECK(next.slot == thrower.slot);
  CHECK(q.run_due(10_ns, now));
  CHECK(ran == 1);
}
