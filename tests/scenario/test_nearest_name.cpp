#include <catch2/catch.hpp>

#include "sim/scenario/nearest_name.hpp"

using cs::nearest_name;

TEST_CASE("a plausible typo finds its key and an unrelated word finds nothing") {
  const std::vector<std::string> keys{"servers", "service_time", "arrivals", "price", "name"};
  CHECK(nearest_name("sevrers", keys) == "servers");
  CHECK(nearest_name("Servers", keys) == "servers");
  CHECK(nearest_name("arivals", keys) == "arrivals");
  CHECK(nearest_name("prise", keys) == "price");
  CHECK(nearest_name("topology", keys).empty());
  CHECK(cs::join_names({"a", "b", "c"}) == "a, b or c");
}
