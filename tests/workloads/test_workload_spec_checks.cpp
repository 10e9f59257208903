// A workload spec's validate(): each problem named by its key under the section the scenario
// wrote it in, and the sources built from a spec refusing by the same rules.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "workloads/workload_spec_checks.hpp"

using namespace cs;

namespace {

std::vector<std::string> keys(const SpecProblems& problems) {
  std::vector<std::string> out;
  for (const SpecProblem& p : problems) out.push_back(p.key);
  return out;
}

SyntheticWorkloadSpec steady() {
  SyntheticWorkloadSpec g;
  g.arrivals = {ArrivalKind::kPoisson, 2.0};
  return g;
}

}  // namespace

TEST_CASE("a synthetic stream's problems are keyed as under `synthetic:`, parts nested under theirs") {
  SyntheticWorkloadSpec g = steady();
  CHECK(validate(g).empty());
  g.arrivals = {ArrivalKind::kGamma, 0.0, 0.0};
  g.diurnal.amplitude = 1.5;
  g.lengths.output = {DistributionKind::kUniform, 0, 0, 10, 5};
  g.start = Time::s(60);
  g.end = Time::s(30);
  CHECK(keys(validate(g)) ==
        std::vector<std::string>{"arrivals.rate", "arrivals.cv", "diurnal.amplitude", "output_tokens.max", "end"});
  InferenceWorkloadSpec w;
  w.synthetic = g;
  CHECK(keys(validate(w)).front() == "synthetic.arrivals.rate");
}

TEST_CASE("a workload needs exactly one source, and conversations take no demand profile") {
  InferenceWorkloadSpec none;
  REQUIRE(validate(none).size() == 1);
  CHECK(validate(none)[0].key.empty());
  InferenceWorkloadSpec chat;
  chat.conversations = ConversationSpec{};
  chat.conversations->sessions = {ArrivalKind::kPoisson, 0.5};
  CHECK(validate(chat).empty());
  chat.demand = DemandShapingSpec{};
  CHECK(keys(validate(chat)) == std::vector<std::string>{"demand"});
  chat.demand.reset();
  // A system prompt of 100 tokens leaves no room for a message and an answer in 101.
  chat.conversations->system_prompt_tokens = 100;
  chat.conversations->max_context_tokens = 101;
  CHECK(keys(validate(chat)) == std::vector<std::string>{"conversations.max_context_tokens"});
  chat.conversations->max_context_tokens = 102;
  CHECK(validate(chat).empty());
}

TEST_CASE("demand shaping is bounded at 1000x and 10 minutes of jitter, the limits memory allows") {
  DemandShapingSpec d;
  d.demand = DemandProfile(std::vector<DemandPoint>{{Time(), 1000.0}});
  d.jitter = kMaxJitter;
  CHECK(validate(d).empty());
  d.demand = DemandProfile(std::vector<DemandPoint>{{Time(), 1000.5}});
  d.jitter = kMaxJitter + Time::ns(1);
  CHECK(keys(validate(d)) == std::vector<std::string>{"", "jitter"});
}

TEST_CASE("the sources built from a spec refuse it by the spec's own checks, naming the first problem") {
  RandomStream rng(1);
  CHECK_THROWS_WITH(ArrivalProcess({ArrivalKind::kPoisson, 0.0}, rng), "arrivals: rate: the arrival rate must be positive");
  SyntheticWorkloadSpec g = steady();
  g.lengths.input = {DistributionKind::kFixed, 0};
  CHECK_THROWS_WITH(SyntheticRequestSource(g, 1), "synthetic: input_tokens.mean: mean must be > 0");
  InferenceWorkloadSpec two;
  two.synthetic = steady();
  two.conversations = ConversationSpec{};
  CHECK_THROWS_WITH(make_request_source(two, 1), Catch::StartsWith("workload workload: a workload needs exactly one"));
}
