#include <catch2/catch.hpp>

#include <limits>
#include <sstream>

#include "sim/app/json_output.hpp"

using namespace cs;

TEST_CASE("the CLI's JSON keeps the order fields were added and writes a figure that does not exist as null") {
  JsonObject inner;
  inner.add("ttft_p99_s", std::numeric_limits<double>::quiet_NaN()).add("jobs", std::int64_t{3});
  JsonObject j;
  j.add("zeta", 1.5).add("alpha", "text").add("inf", std::numeric_limits<double>::infinity()).add("summary",
                                                                                                 std::move(inner));
  std::ostringstream out;
  j.print(out);
  CHECK(out.str() ==
        "{\n  \"zeta\": 1.5,\n  \"alpha\": \"text\",\n  \"inf\": null,\n  \"summary\": {\n"
        "    \"ttft_p99_s\": null,\n    \"jobs\": 3\n  }\n}\n");
}

TEST_CASE("a list of rows prints one compact row per line") {
  std::vector<JsonObject> rows(2);
  rows[0].add("bytes", 1024.0).add("algorithm", "ring");
  rows[1].add("bytes", 2048.0).add("algorithm", "tree");
  std::ostringstream out;
  print_json_rows(out, rows);
  CHECK(out.str() == "[\n {\"bytes\":1024.0,\"algorithm\":\"ring\"},\n {\"bytes\":2048.0,\"algorithm\":\"tree\"}\n]\n");
}
