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
    Scenario s = load_scenario(entry.path(), o);
    // Examples name their traces in shared/ beside the checkout (as CI lays it out); a worktree
    // elsewhere reads the same file from the configured trace folder.
    if (s.workload && s.workload->trace && !fs::exists(s.workload->trace->path))
      s.workload->trace->path =
          (fs::path(CLUSTERSIM_TRACE_DIR) / fs::path(s.workload->trace->path).filename()).string();
    for (auto& w : s.workload_streams)
      if (w.trace && !fs::exists(w.trace->path))
        w.trace->path = (fs::path(CLUSTERSIM_TRACE_DIR) / fs::path(w.trace->path).filename()).string();
    if (s.training && s.training->trace && !s.training->trace->trace.path.empty() &&
        !fs::exists(s.training->trace->trace.path))
      s.training->trace->trace.path =
          (fs::path(CLUSTERSIM_TRACE_DIR) / fs::path(s.training->trace->trace.path).filename()).string();
    RunOptions run;
    run.output = dir.path() / (entry.path().stem().string() + ".h5");
    const RunResult r = run_scenario(s, run);
    CHECK(r.events > 0);
    CHECK(fs::exists(run.output));
    ++count;
  }
  CHECK(count >= 1);
}
