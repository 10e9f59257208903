#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include "workloads/trace_transform.hpp"
#include "workloads/vector_request_source.hpp"

using namespace cs;

namespace {
std::unique_ptr<RequestSource> three_requests() {
  // A trace starting at 100 s: arrivals 100 s, 103 s, 106 s.
  return std::make_unique<VectorRequestSource>(std::vector<InferenceRequest>{
      {Time::s(100), 1000, 500, "", {}}, {Time::s(103), 5000, 20, "", {}}, {Time::s(106), 3000, 3000, "", {}}});
}
}  // namespace

TEST_CASE("a time scale of 1.5 stretches a trace's clock from its start, as Vidur's time_scale_factor") {
  TransformedSource s(three_requests(), TraceTransform{1.5, 0, Time::s(100)});
  CHECK(s.next()->arrival == Time::s(100));
  CHECK(s.next()->arrival == Time::ms(104'500));  // 3 s after the start × 1.5
  CHECK(s.next()->arrival == Time::s(109));
  CHECK_FALSE(s.next().has_value());
}

TEST_CASE("max_tokens clips prompt + output as an engine's context limit, keeping one output token") {
  TransformedSource s(three_requests(), TraceTransform{1, 4096, Time::s(100)});
  const InferenceRequest a = *s.next();  // 1000 + 500 fits
  CHECK(a.input_tokens == 1000);
  CHECK(a.output_tokens == 500);
  const InferenceRequest b = *s.next();  // prompt alone over: 4095 + 1
  CHECK(b.input_tokens == 4095);
  CHECK(b.output_tokens == 1);
  const InferenceRequest c = *s.next();  // 3000 + 3000: the output takes what is left
  CHECK(c.input_tokens == 3000);
  CHECK(c.output_tokens == 1096);
  CHECK(c.arrival == Time::s(106));  // no time scale: arrivals unchanged
}

TEST_CASE("a time scale must be positive and a clip must leave a prompt and an output token") {
  CHECK_THROWS_AS(TransformedSource(three_requests(), TraceTransform{0, 0, Time{}}), std::invalid_argument);
  CHECK_THROWS_AS(TransformedSource(three_requests(), TraceTransform{1, 1, Time{}}), std::invalid_argument);
}
