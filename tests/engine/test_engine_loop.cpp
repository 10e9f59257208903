#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

#include "sim/engine/engine.hpp"

using namespace cs;
using namespace cs::time_literals;

TEST_CASE("run_until runs events up to and including the horizon, then sets the clock") {
  Engine e(1);
  std::vector<Time> seen;
  for (Time t : {1_s, 2_s, 3_s}) e.schedule_at(t, [&] { seen.push_back(e.now()); });
  CHECK(e.run_until(2_s));
  CHECK(seen == std::vector<Time>{1_s, 2_s});
  CHECK(e.now() == 2_s);
  CHECK(e.pending_events() == 1);
  CHECK(e.run_until(10_s));
  CHECK(e.now() == 10_s);
  CHECK(seen.size() == 3);
}

TEST_CASE("events scheduled by events run in the same loop") {
  Engine e(1);
  int ticks = 0;
  std::function<void()> tick = [&] {
    if (++ticks < 100) e.schedule_in(10_ms, [&] { tick(); });
  };
  e.schedule_at(0_s, [&] { tick(); });
  e.run();
  CHECK(ticks == 100);
  CHECK(e.now() == 990_ms);
  CHECK(e.events_processed() == 100);
}

TEST_CASE("scheduling in the past is refused") {
  Engine e(1);
  e.schedule_at(5_s, [] {});
  e.run();
  CHECK_THROWS_AS(e.schedule_at(4_s, [] {}), std::logic_error);
}

TEST_CASE("stop() ends the loop after the running event and run_until resumes") {
  Engine e(1);
  int ran = 0;
  e.schedule_at(1_s, [&] {
    ++ran;
    e.stop();
  });
  e.schedule_at(2_s, [&] { ++ran; });
  CHECK_FALSE(e.run_until(10_s));
  CHECK(ran == 1);
  CHECK(e.now() == 1_s);
  CHECK(e.run_until(10_s));
  CHECK(ran == 2);
}

TEST_CASE("an event budget splits a run into resumable slices") {
  Engine e(1);
  for (int i = 0; i < 10; ++i) e.schedule_at(Time::s(i), [] {});
  CHECK_FALSE(e.run_until(1_h, 4));
  CHECK(e.events_processed() == 4);
  CHECK(e.now() == 3_s);
  CHECK(e.run_until(1_h, 100));
  CHECK(e.events_processed() == 10);
}

TEST_CASE("a cancelled event is skipped by the loop") {
  Engine e(1);
  int ran = 0;
  auto h = e.schedule_at(1_s, [&] { ran += 1; });
  e.schedule_at(2_s, [&] { ran += 2; });
  CHECK(e.cancel(h));
  e.run();
  CHECK(ran == 2);
  CHECK(e.events_processed() == 1);
}

TEST_CASE("an exception in an event ends the run at that event's time") {
  Engine e(1);
  int ran = 0;
  e.schedule_at(1_s, [&] { ++ran; });
  e.schedule_at(2_s, [] { throw std::runtime_error("model bug"); });
  e.schedule_at(3_s, [&] { ++ran; });
  CHECK_THROWS_AS(e.run_until(1_h), std::runtime_error);
  CHECK(ran == 1);
  CHECK(e.now() == 2_s);
  CHECK(e.pending_events() == 1);  // the later event is untouched, not run
}
