#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "drain_source.hpp"
#include "trace_test_files.hpp"
#include "workloads/csv_request_trace.hpp"
#include "workloads/trace_error.hpp"

using namespace cs;
using cs::test::trace_path;
using cs::test::write_test_file;

namespace {
struct TraceSummary {
  std::uint64_t rows = 0;
  Time first, last;
  std::int64_t input_sum = 0, output_sum = 0;
  bool ordered = true;
};
TraceSummary summarize(RequestSource& source) {
  TraceSummary s;
  while (auto r = source.next()) {
    if (s.rows == 0) s.first = r->arrival;
    if (r->arrival < s.last) s.ordered = false;
    s.last = r->arrival;
    s.input_sum += r->input_tokens;
    s.output_sum += r->output_tokens;
    ++s.rows;
  }
  return s;
}
}  // namespace

TEST_CASE("the Azure code trace has 8,819 requests over 3,435.948056 s") {
  CsvRequestTrace trace(trace_path("AzureLLMInferenceTrace_code.csv"), azure_llm_trace_mapping());
  const auto s = summarize(trace);
  CHECK(s.rows == 8819);
  CHECK(s.ordered);
  // First row 18:17:03.9799600, last 19:14:19.9280160: 57 min 15.9480560 s later.
  CHECK(s.first == Time());
  CHECK(s.last.count_ns() == 3'435'948'056'000);
  // Column sums (awk -F, 'NR>1{i+=$2; o+=$3} END{print i, o}').
  CHECK(s.input_sum == 18'059'974);
  CHECK(s.output_sum == 245'896);
  CHECK(trace.skipped_rows() == 0);
}

TEST_CASE("the Azure conversation trace has 19,366 requests over 3,501.721937 s") {
  CsvRequestTrace trace(trace_path("AzureLLMInferenceTrace_conv.csv"), azure_llm_trace_mapping());
  const auto s = summarize(trace);
  CHECK(s.rows == 19366);
  CHECK(s.ordered);
  // 18:15:46.6805900 to 19:14:08.4025270 is 58 min 21.7219370 s.
  CHECK(s.last.count_ns() == 3'501'721'937'000);
  CHECK(s.input_sum == 22'361'870);
  CHECK(s.output_sum == 4'088'665);
}

TEST_CASE("the first Azure rows keep their exact offsets and token counts") {
  TraceReadOptions options;
  options.offset = Time::s(100);
  options.model = "llama-70b";
  CsvRequestTrace trace(trace_path("AzureLLMInferenceTrace_code.csv"), azure_llm_trace_mapping(), options);
  auto a = trace.next();
  auto b = trace.next();
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->arrival == Time::s(100));
  CHECK(a->input_tokens == 4808);
  CHECK(a->output_tokens == 10);
  CHECK(a->model == "llama-70b");
  // 18:17:04.0319600 − 18:17:03.9799600 = 52 ms.
  CHECK(b->arrival == Time::s(100) + Time::ms(52));
  CHECK(b->input_tokens == 3180);
}

TEST_CASE("LF, CRLF and a missing final newline read the same rows") {
  const char* header = "TIMESTAMP,ContextTokens,GeneratedTokens";
  for (const char* end : {"\n", "\r\n"}) {
    for (bool final_newline : {true, false}) {
      std::string text = std::string(header) + end + "2023-11-16 18:00:00.0000000,10,1" + end +
                         "2023-11-16 18:00:01.2500000,20,2";
      if (final_newline) text += end;
      const auto path = write_test_file("line_ends.csv", text);
      CsvRequestTrace trace(path, azure_llm_trace_mapping());
      const auto s = summarize(trace);
      CHECK(s.rows == 2);
      CHECK(s.last == Time::ms(1250));
      CHECK(s.output_sum == 3);
    }
  }
}

namespace {
// Reads a three-row Azure-format file whose second data row (line 3) is `bad`.
std::string error_for(const std::string& bad) {
  const auto path = write_test_file("bad.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\r\n"
                                               "2023-11-16 18:00:00.0000000,10,1\r\n" + bad + "\r\n"
                                               "2023-11-16 18:00:02.0000000,30,3");
  CsvRequestTrace trace(path, azure_llm_trace_mapping());
  try {
    while (trace.next()) {
    }
  } catch (const TraceError& e) {
    CHECK(e.line() == 3);
    CHECK(e.file() == path);
    CHECK(std::string(e.what()).find(path + ":3: ") == 0);
    return e.reason();
  }
  FAIL("no error for " << bad);
  return {};
}
}  // namespace

TEST_CASE("a malformed Azure row stops the read naming file, line and reason") {
  CHECK_THAT(error_for("2023-11-16 18:00:0x.0000000,20,2"), Catch::Contains("bad timestamp") && Catch::Contains("TIMESTAMP"));
  CHECK_THAT(error_for("2023-11-16 18:00:01.0000000,-20,2"), Catch::Contains("negative") && Catch::Contains("ContextTokens"));
  CHECK_THAT(error_for("2023-11-16 18:00:01.0000000,20"), Catch::Contains("missing column 'GeneratedTokens'"));
  CHECK_THAT(error_for("2023-11-16 18:00:01.0000000,20,two"), Catch::Contains("not a number") && Catch::Contains("GeneratedTokens"));
  CHECK_THAT(error_for("2023-11-16 18:00:01.0000000,20,2,9"), Catch::Contains("4 fields, expected 3"));
  CHECK_THAT(error_for("2023-11-16 17:59:59.0000000,20,2"), Catch::Contains("before the previous row"));
}

TEST_CASE("with skip_bad_rows malformed rows are counted and the rest read") {
  const auto path = write_test_file("skip.csv",
                                    "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                                    "2023-11-16 18:00:00.0,10,1\n"
                                    "2023-11-16 18:00:01.0,-1,1\n"      // line 3: negative
                                    "\n"                                // blank: not a row
                                    "garbage\n"                         // line 5
                                    "2023-11-16 18:00:02.0,20,2\n"
                                    "2023-11-16 18:00:03.0,x,2\n");     // line 7
  TraceReadOptions options;
  options.skip_bad_rows = true;
  CsvRequestTrace trace(path, azure_llm_trace_mapping(), options);
  const auto s = summarize(trace);
  CHECK(s.rows == 2);
  CHECK(s.last == Time::s(2));
  CHECK(trace.skipped_rows() == 3);
  CHECK_THAT(trace.first_skipped_reason(), Catch::StartsWith(path + ":3: "));
}

TEST_CASE("a header without a mapped column is an error on line 1, even when skipping bad rows") {
  const auto path = write_test_file("no_col.csv", "TIMESTAMP,Context,GeneratedTokens\n2023-11-16 18:00:00.0,1,1\n");
  TraceReadOptions options;
  options.skip_bad_rows = true;
  try {
    CsvRequestTrace trace(path, azure_llm_trace_mapping(), options);
    FAIL("no error");
  } catch (const TraceError& e) {
    CHECK(e.line() == 1);
    CHECK_THAT(e.reason(), Catch::Contains("missing column 'ContextTokens'") && Catch::Contains("TIMESTAMP, Context, GeneratedTokens"));
  }
  CHECK_THROWS_AS(CsvRequestTrace(write_test_file("empty.csv", ""), azure_llm_trace_mapping()), TraceError);
  CHECK_THROWS_WITH(CsvRequestTrace("/nonexistent/trace.csv", azure_llm_trace_mapping()), Catch::Contains("cannot open"));
}

TEST_CASE("a generic CSV maps named columns with a time unit and keeps the file's time origin") {
  const auto path = write_test_file("generic.csv",
                                    "model;arrival_ms;prompt;completion\n"
                                    "a;1500;100;10\n"
                                    "\"b;c\";1500.25;200;20\n"
                                    "a;2e3;300;30\n");
  CsvTraceMapping m;
  m.delimiter = ';';
  m.time = {"arrival_ms", 0};
  m.time_unit = TraceTimeUnit::kMilliseconds;
  m.input_tokens = {"prompt", 0};
  m.output_tokens = {"completion", 0};
  m.model = CsvColumn{"model", 0};
  TraceReadOptions options;
  options.origin = TraceTimeOrigin::kFileZero;
  CsvRequestTrace trace(path, m, options);
  const std::vector<InferenceRequest> rs = test::drain(trace);
  REQUIRE(rs.size() == 3);
  CHECK(rs[0].arrival == Time::ms(1500));
  CHECK(rs[1].arrival == Time::us(1'500'250));
  CHECK(rs[2].arrival == Time::s(2));
  CHECK(rs[1].model == "b;c");
  CHECK(rs[2].input_tokens == 300);
  CHECK(rs[2].output_tokens == 30);
}

TEST_CASE("a headerless CSV maps columns by 1-based position") {
  const auto path = write_test_file("positional.csv", "x,0.5,7,70\ny,0.75,8,80\n");
  CsvTraceMapping m;
  m.has_header = false;
  m.time = {"", 2};
  m.time_unit = TraceTimeUnit::kSeconds;
  m.input_tokens = {"", 3};
  m.output_tokens = {"", 4};
  CsvRequestTrace trace(path, m);  // origin at the first row: 0.5 s becomes 0
  auto a = trace.next();
  auto b = trace.next();
  REQUIRE(b);
  CHECK(a->arrival == Time());
  CHECK(b->arrival == Time::ms(250));
  CHECK(b->output_tokens == 80);
  CHECK_FALSE(trace.next());
  CHECK_FALSE(trace.next());
  m.time = {"time", 0};
  CHECK_THROWS_WITH(CsvRequestTrace(path, m), Catch::Contains("no header"));
}

TEST_CASE("a line longer than the read block is read whole") {
  // 3 MiB of model name: the 1 MiB block must grow to hold the line.
  const std::string name(3 << 20, 'm');
  const auto path = write_test_file("long.csv", "t,model,in,out\n0,x,1,1\n1," + name + ",2,2\n2,y,3,3");
  CsvTraceMapping m;
  m.time = {"t", 0};
  m.input_tokens = {"in", 0};
  m.output_tokens = {"out", 0};
  m.model = CsvColumn{"model", 0};
  CsvRequestTrace trace(path, m);
  CHECK(trace.next()->model == "x");
  CHECK(trace.next()->model == name);
  const auto last = trace.next();
  REQUIRE(last);
  CHECK(last->model == "y");
  CHECK(last->arrival == Time::s(2));
}
