#include <catch2/catch.hpp>

#include <vector>

#include "drain_source.hpp"
#include "trace_test_files.hpp"
#include "workloads/jsonl_request_trace.hpp"
#include "workloads/trace_error.hpp"

using namespace cs;
using cs::test::write_test_file;

TEST_CASE("JSON Lines requests keep millisecond times, lengths and prefix hash ids") {
  const auto path = write_test_file("trace.jsonl",
                                    "{\"timestamp\": 0, \"input_length\": 6955, \"output_length\": 52, \"hash_ids\": [46, 47, 48]}\n"
                                    "{\"timestamp\": 27.5, \"input_length\": 12, \"output_length\": 3}\r\n"
                                    "\n"
                                    "{\"output_length\": 9, \"session\": \"s1\", \"timestamp\": 3000, \"input_length\": 7, \"model\": \"m\"}");
  JsonlRequestTrace trace(path);
  const std::vector<InferenceRequest> rs = test::drain(trace);
  REQUIRE(rs.size() == 3);
  CHECK(rs[0].arrival == Time());
  CHECK(rs[0].input_tokens == 6955);
  CHECK(rs[0].output_tokens == 52);
  CHECK(rs[0].prefix_hash_ids == std::vector<std::int64_t>{46, 47, 48});
  CHECK(rs[1].arrival == Time::us(27'500));
  CHECK(rs[1].prefix_hash_ids.empty());
  CHECK(rs[2].arrival == Time::s(3));
  CHECK(rs[2].model == "m");
  CHECK(trace.rows_read() == 3);
}

TEST_CASE("a malformed JSON line names its line and the problem") {
  auto error_of = [](const char* bad) {
    const auto path = write_test_file("bad.jsonl", std::string("{\"timestamp\": 0, \"input_length\": 1, \"output_length\": 1}\n") + bad + "\n");
    JsonlRequestTrace trace(path);
    try {
      while (trace.next()) {
      }
    } catch (const TraceError& e) {
      CHECK(e.line() == 2);
      return e.reason();
    }
    return std::string("no error");
  };
  CHECK_THAT(error_of(R"({"timestamp": 1, "input_length": 5})"), Catch::Contains("missing key \"output_length\""));
  CHECK_THAT(error_of(R"({"timestamp": 1, "input_length": -5, "output_length": 1})"), Catch::Contains("negative") && Catch::Contains("input_length"));
  CHECK_THAT(error_of(R"({"timestamp": "1", "input_length": 5, "output_length": 1})"), Catch::Contains("must be a number"));
  CHECK_THAT(error_of(R"({"timestamp": 1, "input_length": 5, "output_length": 1, "hash_ids": [1.5]})"), Catch::Contains("not an integer"));
  CHECK_THAT(error_of(R"({"timestamp": 1, "input_length": 5, "output_length": 1)"), Catch::Contains("bad JSON"));
  CHECK_THAT(error_of(R"({"timestamp": 1, "input_length": 2.5, "output_length": 1})"), Catch::Contains("not a whole number"));
}

TEST_CASE("skipping bad JSON lines counts them") {
  const auto path = write_test_file("skip.jsonl",
                                    "{\"timestamp\": 0, \"input_length\": 1, \"output_length\": 1}\n"
                                    "not json\n"
                                    "{\"timestamp\": 5, \"input_length\": 1, \"output_length\": 1}\n"
                                    "{\"timestamp\": 4, \"input_length\": 1, \"output_length\": 1}\n");  // back in time
  TraceReadOptions options;
  options.skip_bad_rows = true;
  JsonlRequestTrace trace(path, options);
  int n = 0;
  while (trace.next()) ++n;
  CHECK(n == 2);
  CHECK(trace.skipped_rows() == 2);
}
