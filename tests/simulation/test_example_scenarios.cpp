#include <catch2/catch.hpp>

#include <filesystem>

#include "../scenario/scenario_test_files.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/simulation/simulation.hpp"

using namespace cs;
namespace fs = std::filesystem;

// Every example in configs/scenarios/ must load and run. The horizon is cut to 10 simulated
// minutes so the suite stays quick; the full runs are `make run` and the benchmarks.
TEST_CASE("every example scenario loads and runs") {
  test::TempDir dir;
  int count = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(CLUSTERSIM_SOURCE_DIR) / "configs" / "scenarios")) {
    if (entry.path().extension() != ".yaml") continue;
    INFO(entry.path().string());
    LoadOptions o;
    o.overrides = {"simulation.horizon=10 min"};
    const Scenario s = load_scenario(entry.path(), o);
    RunOptions run;
    run.output = dir.path() / (entry.path().stem().string() + ".h5");
    const RunResult r = run_scenario(s, run);
    CHECK(r.events > 0);
    CHECK(fs::exists(run.output));
    ++count;
  }
  CHECK(count >= 1);
}
