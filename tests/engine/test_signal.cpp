#include <catch2/catch.hpp>

#include <string>

#include "sim/engine/signal.hpp"

TEST_CASE("listeners are called in connection order with the emitted values") {
  cs::Signal<int, std::string> done;
  std::string log;
  CHECK_FALSE(done.connected());
  done.connect([&](int id, const std::string& what) { log += "a" + std::to_string(id) + what; });
  done.connect([&](int id, const std::string& what) { log += "b" + std::to_string(id) + what; });
  done.emit(7, "x");
  done.emit(8, "y");
  CHECK(log == "a7xb7xa8yb8y");
}
