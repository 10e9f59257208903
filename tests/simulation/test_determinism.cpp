#include <catch2/catch.hpp>

#include <filesystem>

#include "../io/h5_read.hpp"
#include "../scenario/scenario_test_files.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/simulation/simulation.hpp"

using namespace cs;
namespace fs = std::filesystem;

namespace {

struct Datasets {
  std::vector<std::vector<double>> columns;
  bool operator==(const Datasets&) const = default;
};

// Every dataset of /timeline and /requests, in name order.
Datasets run_and_read(const test::TempDir& dir, const std::string& name, std::uint64_t seed) {
  LoadOptions o;
  o.seed = seed;
  const Scenario s = load_scenario(dir.path() / "s.yaml", o);
  RunOptions run;
  run.output = dir.path() / (name + ".h5");
  run_scenario(s, run);
  Datasets d;
  const hid_t f = H5Fopen(run.output.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  for (const char* group : {"timeline", "requests"})
    for (const auto& member : test::member_names(f, group))
      d.columns.push_back(test::read_column(f, std::string("/") + group + "/" + member));
  H5Fclose(f);
  return d;
}

}  // namespace

TEST_CASE("the same scenario and seed give identical datasets, and another seed gives others") {
  test::TempDir dir;
  dir.write("s.yaml", test::kValidScenario);
  const Datasets a = run_and_read(dir, "a", 7);
  const Datasets b = run_and_read(dir, "b", 7);
  const Datasets c = run_and_read(dir, "c", 8);
  REQUIRE(a.columns.size() == 12);  // time_s + 6 timeline series, and 5 request columns
  CHECK(a == b);
  CHECK_FALSE(a == c);
  // The run wrote something worth comparing: ~5/s over 600 s.
  CHECK(a.columns.back().size() > 2500);
}

TEST_CASE("a run's file appears only when the run completes") {
  test::TempDir dir;
  dir.write("s.yaml", test::kValidScenario);
  const Scenario s = load_scenario(dir.path() / "s.yaml");
  RunOptions run;
  run.output = dir.path() / "out.h5";
  // A progress callback that throws stands for any failure in the middle of a run.
  run.progress = [](const ProgressReport&) { throw std::runtime_error("interrupted"); };
  CHECK_THROWS_WITH(run_scenario(s, run), "interrupted");
  CHECK_FALSE(fs::exists(run.output));
  CHECK_FALSE(fs::exists(run.output.string() + ".partial"));
}
