#include <catch2/catch.hpp>

#include <string>

#include "scenario_load_error.hpp"
#include "sim/queueing/server_pool.hpp"

using namespace cs;
using cs::test::kValidScenario;
using cs::test::replace;
using cs::test::TempDir;

namespace {

// The error message of `text` after the file's path, which every message starts with.
std::string error_of(const std::string& text, const LoadOptions& options = {}) {
  const std::string message = test::error_of(text, options);
  const auto after_file = message.find("bad.yaml");
  return after_file == std::string::npos ? message : message.substr(after_file + 8);
}

}  // namespace

TEST_CASE("the valid scenario loads with every value in SI units") {
  TempDir dir;
  const Scenario s = load_scenario(dir.write("ok.yaml", kValidScenario));
  CHECK(s.name == "t");
  CHECK(s.seed == 3);
  CHECK(s.simulation.horizon == Time::s(600));
  CHECK(s.simulation.sample_interval == Time::s(30));
  const ServerPoolSpec* queueing = s.section<ServerPoolSpec>("queueing");
  REQUIRE(queueing);
  CHECK(queueing->arrivals.rate_per_s == 5);
  CHECK(queueing->service_time_s.mean == 1);
  CHECK(queueing->servers == 8);
  CHECK(queueing->usd_per_server_hour == 1.5);
}

TEST_CASE("the --seed and --set options change the loaded scenario") {
  TempDir dir;
  LoadOptions o;
  o.seed = 99;
  o.overrides = {"queueing.servers=64", "simulation.horizon=1.5 h"};
  const Scenario s = load_scenario(dir.write("ok.yaml", kValidScenario), o);
  CHECK(s.seed == 99);
  CHECK(s.section<ServerPoolSpec>("queueing")->servers == 64);
  CHECK(s.simulation.horizon == Time::s(5400));
}

TEST_CASE("bad scenario 1: YAML syntax error names line and column") {
  CHECK_THAT(error_of(replace(kValidScenario, "  servers: 8", "  servers: [8")),
             Catch::Matches(":1[0-9]:[0-9]+: YAML syntax error.*"));
}

TEST_CASE("bad scenario 2: a misspelled key names its line and the nearest key") {
  CHECK(error_of(replace(kValidScenario, "  servers: 8", "  sevrers: 8")) ==
        ":13:3: queueing.sevrers: unknown key 'sevrers'; did you mean 'servers'?");
}

TEST_CASE("bad scenario 3: a missing required key names the map that lacks it") {
  CHECK(error_of(replace(kValidScenario, "  servers: 8\n", "")) == ":7:3: queueing: missing required key 'servers'");
}

TEST_CASE("bad scenario 4: a quantity with the wrong unit says what was expected") {
  CHECK(error_of(replace(kValidScenario, "mean: 1 s", "mean: 1 GB")) ==
        ":12:11: queueing.service_time.mean: cannot read \"1 GB\" as a duration such as 2.5 us, 90 s, 5 min or "
        "1.5 h: unknown unit \"GB\"");
}

TEST_CASE("bad scenario 5: text where a whole number belongs") {
  CHECK(error_of(replace(kValidScenario, "servers: 8", "servers: many")) ==
        ":13:12: queueing.servers: expected a whole number, got 'many'");
}

TEST_CASE("bad scenario 6: a value out of range") {
  CHECK_THAT(error_of(replace(kValidScenario, "servers: 8", "servers: 0")),
             Catch::StartsWith(":13:12: queueing.servers: value 0") && Catch::Contains("out of range"));
}

TEST_CASE("bad scenario 7: an unknown choice lists the valid ones and the nearest") {
  CHECK(error_of(replace(kValidScenario, "process: poisson", "process: poison")) ==
        ":8:14: queueing.arrivals.process: unknown value 'poison'; expected poisson, gamma or deterministic "
        "(did you mean 'poisson'?)");
}

TEST_CASE("bad scenario 8: a duplicate key") {
  CHECK(error_of(replace(kValidScenario, "seed: 3\n", "seed: 3\nseed: 4\n")) ==
        ":3:1: seed: duplicate key (each key may appear once in a map)");
}

TEST_CASE("bad scenario 9: a list where a map belongs") {
  CHECK(error_of(replace(kValidScenario, "  arrivals:\n    process: poisson\n    rate: 5/s\n",
                         "  arrivals: [1, 2]\n")) == ":7:13: queueing.arrivals: expected a map of keys, got a list");
}

TEST_CASE("bad scenario 10: extends names a file that does not exist") {
  CHECK_THAT(error_of(std::string("extends: missing.yaml\n") + kValidScenario),
             Catch::StartsWith(":1:10: extends: ") && Catch::Contains("missing.yaml: cannot open the file"));
}

TEST_CASE("bad scenario 11: impossible distribution parameters") {
  CHECK(error_of(replace(kValidScenario, "distribution: exponential\n    mean: 1 s",
                         "distribution: uniform\n    min: 3 s\n    max: 2 s")) ==
        ":13:10: queueing.service_time.max: uniform needs min < max");
}

TEST_CASE("bad scenario 12: a negative or zero horizon") {
  CHECK(error_of(replace(kValidScenario, "horizon: 10 min", "horizon: 0 s")) ==
        ":4:12: simulation.horizon: the horizon must be a positive duration");
}

TEST_CASE("bad scenario 13: a key left without a value points at the key") {
  CHECK(error_of(replace(kValidScenario, "servers: 8", "servers:")) == ":13:3: queueing.servers: a value is required");
}

TEST_CASE("bad scenario 14: a --set typo is reported against the command line") {
  TempDir dir;
  LoadOptions o;
  o.overrides = {"queueing.severs=4"};
  try {
    load_scenario(dir.write("ok.yaml", kValidScenario), o);
    FAIL("loaded");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) ==
          "command line (--set queueing.severs=4): queueing.severs: unknown key 'severs'; did you mean 'servers'?");
  }
}

TEST_CASE("bad scenario 15: the top level is not a map") {
  CHECK(error_of("- 1\n- 2\n") == ":1:1: the top level must be a map of keys");
}
