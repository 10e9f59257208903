#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "drain_source.hpp"
#include "trace_test_files.hpp"
#include "workloads/csv_request_trace.hpp"
#include "workloads/demand_shaped_source.hpp"
#include "workloads/looped_source.hpp"
#include "workloads/synthetic_request_source.hpp"
#include "workloads/vector_request_source.hpp"

using namespace cs;
using namespace cs::time_literals;
using cs::test::trace_path;

namespace {
std::unique_ptr<RequestSource> conv_trace() {
  return std::make_unique<CsvRequestTrace>(trace_path("AzureLLMInferenceTrace_conv.csv"), azure_llm_trace_mapping());
}
// A regular 10/s stream for two hours, every request 100 in / 10 out.
std::unique_ptr<RequestSource> steady_10_per_s() {
  SyntheticWorkloadSpec spec;
  spec.arrivals = {ArrivalKind::kDeterministic, 10.0, 1.0};
  spec.lengths.input = {DistributionKind::kFixed, 100};
  spec.lengths.output = {DistributionKind::kFixed, 10};
  spec.end = 2_h;
  return std::make_unique<SyntheticRequestSource>(spec, 0);
}
}  // namespace

TEST_CASE("a 10x replicated trace has exactly ten times each original length pair") {
  std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> original, replicated;
  auto plain = conv_trace();
  while (auto r = plain->next()) ++original[{r->input_tokens, r->output_tokens}];
  DemandShapedSource shaped(conv_trace(), {DemandProfile::constant(10), 10_s, CopyPrefixIds::kKeep}, 99);
  Time last;
  std::uint64_t n = 0;
  while (auto r = shaped.next()) {
    REQUIRE(r->arrival >= last);
    last = r->arrival;
    ++replicated[{r->input_tokens, r->output_tokens}];
    ++n;
  }
  CHECK(n == 193'660);  // 19,366 × 10: a multiplier of 10 adds exactly 9 copies
  CHECK(shaped.originals_read() == 19'366);
  bool ten_each = replicated.size() == original.size();
  for (const auto& [pair, count] : original) ten_each = ten_each && replicated[pair] == 10 * count;
  CHECK(ten_each);
  // Not time-compressed: the span stays the trace's (3,501.72 s) within the 5 s half-jitter.
  CHECK(last.seconds() == Approx(3501.72).margin(5.0));
}

TEST_CASE("thinning and fractional replication keep the length distribution") {
  auto mean_and_p90 = [](RequestSource& s) {
    std::vector<std::int64_t> inputs;
    while (auto r = s.next()) inputs.push_back(r->input_tokens);
    double mean = 0;
    for (auto v : inputs) mean += static_cast<double>(v);
    mean /= static_cast<double>(inputs.size());
    std::nth_element(inputs.begin(), inputs.begin() + static_cast<std::ptrdiff_t>(inputs.size() * 9 / 10), inputs.end());
    return std::pair{mean, static_cast<double>(inputs[inputs.size() * 9 / 10]), };
  };
  auto base = conv_trace();
  const auto [mean0, p90_0] = mean_and_p90(*base);
  for (double m : {0.5, 2.5}) {
    INFO("multiplier " << m);
    DemandShapedSource shaped(conv_trace(), {DemandProfile::constant(m), 10_s, CopyPrefixIds::kKeep}, 5);
    const auto [mean, p90] = mean_and_p90(shaped);
    CHECK(static_cast<double>(shaped.emitted()) == Approx(19'366 * m).epsilon(0.02));
    CHECK(mean == Approx(mean0).epsilon(0.05));
    CHECK(p90 == Approx(p90_0).epsilon(0.05));
  }
}

TEST_CASE("requests in a window scale with the integral of the multiplier") {
  // 0.5x at 0 rising to 3x at 1 h, 3x after; a steady 10/s trace under it.
  const DemandProfile profile({{0_s, 0.5}, {1_h, 3.0}});
  DemandShapedSource shaped(steady_10_per_s(), {profile, 10_s, CopyPrefixIds::kKeep}, 17);
  const Time edges[] = {0_s, 30_min, 1_h, 90_min, 2_h - 10_s};
  double counts[4] = {};
  while (auto r = shaped.next()) {
    for (int w = 0; w < 4; ++w) {
      if (r->arrival >= edges[w] && r->arrival < edges[w + 1]) counts[w] += 1;
    }
  }
  for (int w = 0; w < 4; ++w) {
    const double expected = 10 * profile.integral(edges[w], edges[w + 1]);
    INFO("window " << w << " expected " << expected);
    CHECK(counts[w] == Approx(expected).epsilon(0.02));
  }
}

TEST_CASE("shaping a trace is deterministic for a seed and copies may get their own prefix ids") {
  std::vector<InferenceRequest> base;
  for (int i = 0; i < 50; ++i) base.push_back({Time::s(i), 10, 5, "", {1, 2, 3}});
  auto run = [&](std::uint64_t seed, CopyPrefixIds ids) {
    DemandShapedSource s(std::make_unique<VectorRequestSource>(base), {DemandProfile::constant(3.5), 4_s, ids}, seed);
    return test::drain(s);
  };
  const auto a = run(1, CopyPrefixIds::kKeep), b = run(1, CopyPrefixIds::kKeep), c = run(2, CopyPrefixIds::kKeep);
  REQUIRE(a.size() == b.size());
  bool same = true;
  for (std::size_t i = 0; i < a.size(); ++i) same = same && a[i].arrival == b[i].arrival;
  CHECK(same);
  CHECK((a.size() != c.size() || a[1].arrival != c[1].arrival));
  const auto spaced = run(1, CopyPrefixIds::kPerCopySpace);
  std::map<std::int64_t, int> first_ids;
  for (const auto& r : spaced) ++first_ids[r.prefix_hash_ids.front()];
  CHECK(first_ids[1] == 50);            // originals keep theirs
  CHECK(first_ids.size() >= 3);         // copies 1, 2 (and 3 half the time) get distinct spaces
  CHECK(first_ids.count(1 + 2 * (std::int64_t{1} << 40)) == 1);
}

TEST_CASE("a looped trace repeats back to back, one mean gap after its last arrival") {
  // Arrivals 0, 2, 4 s: span 4 s, mean gap 2 s, so the period is 6 s.
  auto open = [] {
    return std::make_unique<VectorRequestSource>(
        std::vector<InferenceRequest>{{0_s, 1, 1, "", {}}, {2_s, 2, 2, "", {}}, {4_s, 3, 3, "", {}}});
  };
  LoopedSource looped(open, 3);
  std::vector<Time> times;
  while (auto r = looped.next()) times.push_back(r->arrival);
  CHECK(times == std::vector<Time>{0_s, 2_s, 4_s, 6_s, 8_s, 10_s, 12_s, 14_s, 16_s});
  CHECK(looped.period() == 6_s);
  LoopedSource fixed(open, 2, 5_s);
  std::vector<Time> fixed_times;
  while (auto r = fixed.next()) fixed_times.push_back(r->arrival);
  CHECK(fixed_times.back() == 9_s);
}

TEST_CASE("a looped trace that spans no time, or a loop period shorter than its span, is refused") {
  auto same_instant = [] {
    return std::make_unique<VectorRequestSource>(
        std::vector<InferenceRequest>{{3_s, 1, 1, "", {}}, {3_s, 2, 2, "", {}}, {3_s, 3, 3, "", {}}});
  };
  // Without the check the period became 1 ns and a 1 ms horizon held a million passes.
  LoopedSource forever(same_instant, 0, Time(), "same.csv");
  for (int i = 0; i < 3; ++i) CHECK(forever.next().has_value());
  CHECK_THROWS_WITH(forever.next(), Catch::Contains("same.csv: every row has the same arrival time"));
  auto spread = [] {
    return std::make_unique<VectorRequestSource>(
        std::vector<InferenceRequest>{{0_s, 1, 1, "", {}}, {2_s, 2, 2, "", {}}, {4_s, 3, 3, "", {}}});
  };
  LoopedSource overlapping(spread, 2, 3_s, "spread.csv");
  for (int i = 0; i < 3; ++i) CHECK(overlapping.next().has_value());
  CHECK_THROWS_WITH(overlapping.next(), Catch::Contains("is shorter than the trace's span"));
}
