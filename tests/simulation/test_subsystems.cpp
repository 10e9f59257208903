// The subsystem registry: the models of a scenario built in dependency order, only those the
// scenario has sections for, each offering what later ones use.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "../scenario/scenario_test_files.hpp"
#include "sim/io/run_file.hpp"
#include "sim/metrics/output_tables.hpp"
#include "sim/metrics/timeline_sampler.hpp"
#include "sim/network/fabric.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/simulation/subsystem.hpp"

using namespace cs;
using cs::test::TempDir;

namespace {

Scenario example(const std::string& name) {
  return load_scenario(std::string(CLUSTERSIM_SOURCE_DIR) + "/configs/scenarios/" + name + ".yaml");
}

}  // namespace

TEST_CASE("the registry builds queueing, serving, the network and then training, which lends to serving") {
  std::vector<std::string> names;
  for (const SubsystemEntry& e : subsystem_registry()) names.push_back(e.name);
  CHECK(names == std::vector<std::string>{"queueing", "serving", "network", "training"});
}

TEST_CASE("only the subsystems a scenario has sections for are built, each offering its model to later ones") {
  TempDir dir;
  SECTION("a queue alone") {
    const Scenario s = example("default");
    Engine engine(s.seed);
    TimelineSampler sampler(engine, s.simulation.sample_interval);
    RunFile out(dir.path() / "q.h5");
    out.declare_summary(run_output_keys());
    SubsystemContext ctx(s, engine, sampler, out);
    CHECK(build_subsystems(ctx).size() == 1);
    CHECK(ctx.serving == nullptr);
    CHECK(ctx.training == nullptr);
  }
  SECTION("co-location: serving and training on a topology, no collective jobs") {
    const Scenario s = example("colocation_spike");
    Engine engine(s.seed);
    TimelineSampler sampler(engine, s.simulation.sample_interval);
    RunFile out(dir.path() / "c.h5");
    out.declare_summary(run_output_keys());
    Fabric fabric(engine, s.network->topology, s.network->tuning);
    SubsystemContext ctx(s, engine, sampler, out);
    ctx.fabric = &fabric;
    CHECK(build_subsystems(ctx).size() == 3);  // serving, network (its topology summary), training
    CHECK(ctx.serving != nullptr);
    CHECK(ctx.collectives == nullptr);
    CHECK(ctx.training != nullptr);
  }
}
