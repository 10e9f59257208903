#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

#include "workloads/flat_json.hpp"

using namespace cs;

TEST_CASE("a flat JSON object yields its members with numbers, strings, literals and number lists") {
  std::vector<FlatJsonMember> m;
  parse_flat_json_object(
      R"( {"timestamp": 27482, "input_length":6955,"hash_ids":[46, 47,-1e2], "model":"llama \"3\" \u00e9\ud83d\ude00", "ok":true, "x":null, "e":[]} )",
      m);
  REQUIRE(m.size() == 7);
  CHECK(m[0].key == "timestamp");
  CHECK(m[0].value.kind == FlatJsonKind::kNumber);
  CHECK(m[0].value.number == "27482");
  CHECK(m[1].value.number == "6955");
  REQUIRE(m[2].value.kind == FlatJsonKind::kNumberArray);
  CHECK(m[2].value.numbers == std::vector<std::string_view>{"46", "47", "-1e2"});
  CHECK(m[3].value.text == "llama \"3\" \xC3\xA9\xF0\x9F\x98\x80");  // é = C3 A9, U+1F600 = F0 9F 98 80
  CHECK(m[4].value.kind == FlatJsonKind::kBool);
  CHECK(m[4].value.boolean);
  CHECK(m[5].value.kind == FlatJsonKind::kNull);
  CHECK(m[6].value.numbers.empty());
  parse_flat_json_object("{}", m);
  CHECK(m.empty());
}

TEST_CASE("JSON outside the flat shape or grammar is rejected with a column") {
  std::vector<FlatJsonMember> m;
  for (const char* bad : {
           R"({"a": {"b": 1}})",     // nested object
           R"({"a": [[1]]})",        // array of arrays
           R"({"a": ["x"]})",        // array of strings
           R"({"a": 1,})",           // trailing comma
           R"({"a": 1} x)",          // trailing text
           R"({"a": 1, "a": 2})",    // duplicate key
           R"({"a": 01})",           // leading zero
           R"({"a": 1.})",           // no fraction digits
           R"({"a": .5})",           // no integer digits
           R"({"a": tru})",          // bad literal
           R"({'a': 1})",            // single quotes
           R"({"a": "\x"})",         // bad escape
           R"({"a": "\ud800"})",     // lone surrogate
           R"({"a": "open)",         // unterminated string
           R"([1, 2])",              // not an object
           "",                       // nothing
       }) {
    INFO(bad);
    CHECK_THROWS_WITH(parse_flat_json_object(bad, m), Catch::Contains("at column"));
  }
}
