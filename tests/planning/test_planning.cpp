// Sweeps and capacity plans: grid expansion, point identity, the index, resume, the SLO
// figures computed from /requests, and a plan whose answer is worked out by hand.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>

#include "sim/io/columnar_writer.hpp"
#include "sim/planning/capacity_plan.hpp"
#include "sim/planning/capacity_plan_report.hpp"
#include "sim/planning/point_inputs.hpp"
#include "sim/planning/slo_figures.hpp"
#include "sim/planning/sweep_index.hpp"
#include "tests/scenario/scenario_test_files.hpp"

namespace cs {
namespace {

// D/D/c: one arrival every 0.1 s, each served for exactly `service`; no randomness anywhere,
// so whether anyone waits follows from arithmetic alone.
const char* kQueue =
    "name: ddc\n"
    "seed: 1\n"
    "simulation: {horizon: 10 min, sample_interval: 1 min}\n"
    "queueing:\n"
    "  arrivals: {process: deterministic, rate: 10/s}\n"
    "  service_time: {distribution: fixed, mean: 0.35 s}\n"
    "  servers: 1\n"
    "  price: $1/h\n";

}  // namespace

TEST_CASE("a sweep grid expands to variants times the cross product of its axes times the seeds, last axis fastest",
          "[planning]") {
  test::TempDir dir;
  dir.write("base.yaml", kQueue);
  const auto file = dir.write("s.yaml",
                              "scenario: base.yaml\n"
                              "set: {simulation.horizon: 1 min}\n"
                              "grid:\n"
                              "  queueing.servers: {from: 2, to: 6, step: 2}\n"
                              "  queueing.price: [$1/h, $2/h]\n"
                              "variants:\n"
                              "  - {queueing.arrivals.rate: 5/s}\n"
                              "  - {queueing.arrivals.rate: 10/s}\n"
                              "replications: 2\n");
  const SweepSpec spec = read_sweep_spec(file);
  REQUIRE(spec.grid.axes.size() == 2);
  CHECK(spec.grid.axes[0].values == std::vector<std::string>{"2", "4", "6"});
  CHECK(spec.grid.seeds == std::vector<std::uint64_t>{1, 2});
  const auto points = expand_sweep(spec);
  REQUIRE(points.size() == 2 * 3 * 2 * 2);
  CHECK(points[0].settings == std::vector<Setting>{{"queueing.arrivals.rate", "5/s"},
                                                   {"queueing.servers", "2"},
                                                   {"queueing.price", "$1/h"}});
  CHECK(*points[0].seed == 1);
  CHECK(*points[1].seed == 2);
  CHECK(points[2].settings[2].second == "$2/h");  // the last axis turns fastest
  CHECK(points[4].settings[1].second == "4");
  CHECK(points[12].settings[0].second == "10/s");
  CHECK(points[0].overrides().front() == "simulation.horizon=1 min");
}

TEST_CASE("a point's key and file name change with any setting or the seed, and only then", "[planning]") {
  SweepPoint a{"x.yaml", {{"a", "1"}}, {{"b", "2"}}, 7, Time::s(300)};
  SweepPoint same = a;
  SweepPoint other_value = a;
  other_value.settings[0].second = "3";
  SweepPoint other_seed = a;
  other_seed.seed = 8;
  CHECK(a.stem() == same.stem());
  CHECK(a.stem() != other_value.stem());
  CHECK(a.stem() != other_seed.stem());
  CHECK(a.stem().size() == 17);
}

TEST_CASE("a malformed sweep file names the file, line and key", "[planning]") {
  test::TempDir dir;
  const auto file = dir.write("s.yaml", "scenario: base.yaml\ngrid:\n  queueing.servers: {from: 4, to: 2}\n");
  CHECK_THROWS_WITH(read_sweep_spec(file), Catch::Contains("s.yaml:3") && Catch::Contains("grid.queueing.servers.to") &&
                                               Catch::Contains("below `from`"));
}

TEST_CASE("the index has one row per point: its settings, seed, status, error and the union of summary names",
          "[planning]") {
  std::vector<SweepPoint> points(3, SweepPoint{"x.yaml", {}, {{"queueing.servers", "2"}}, 1, Time::s(300)});
  points[1].settings[0].second = "4";
  points[2].settings = {{"queueing.price", "$2/h"}};
  std::vector<PointResult> results(3);
  results[0] = {"k0", true, "", 0.5, 1, {{"cost_usd", "10"}}, "points/a.h5", ""};
  results[1] = {"k1", true, "", 0.5, 1, {{"cost_usd", "20"}, {"wait_p99_s", "0.1"}}, "points/b.h5", ""};
  results[2] = {"k2", false, "servers: must be at least 1", 0.1, 1, {}, "points/c.h5", ""};
  const IndexTable t = sweep_index_table(points, results);
  CHECK(t.columns == std::vector<std::string>{"point", "queueing.servers", "queueing.price", "seed", "status", "error",
                                              "run_file", "wall_s", "cost_usd", "wait_p99_s"});
  REQUIRE(t.rows.size() == 3);
  CHECK(t.rows[1][1] == "4");
  CHECK(t.rows[1][9] == "0.1");
  CHECK(t.rows[0][9] == "");
  CHECK(t.rows[2][2] == "$2/h");
  CHECK(t.rows[2][4] == "failed");
  CHECK(t.rows[2][5] == "servers: must be at least 1");
  CHECK(t.rows[2][6] == "");  // a failed point has no run file to point at
}

TEST_CASE("$ per 1k tokens is the summary's, else cost per 1k output tokens generated", "[planning]") {
  CHECK(usd_per_1k_tokens({{"usd_per_1k_tokens", "0.25"}, {"cost_usd", "9"}}) == 0.25);
  CHECK(usd_per_1k_tokens({{"cost_usd", "12"}, {"output_tokens_generated", "48000"}}) == Approx(0.25));
  CHECK(std::isnan(usd_per_1k_tokens({{"cost_usd", "12"}})));
}

TEST_CASE("the worst-window p99 TTFT is the largest nearest-rank p99 over windows by arrival", "[planning]") {
  test::TempDir dir;
  const auto file = dir.path() / "run.h5";
  {
    H5Handle f(H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    H5Handle meta(H5Gcreate2(f.get(), "meta", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    const double horizon = 600;
    H5Handle space(H5Screate(H5S_SCALAR), H5Sclose);
    H5Handle attr(H5Acreate2(meta.get(), "horizon_s", H5T_NATIVE_DOUBLE, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                  H5Aclose);
    H5Awrite(attr.get(), H5T_NATIVE_DOUBLE, &horizon);
    ColumnarWriter requests(f.get(), "requests",
                            {{"arrival_s", "s", ColumnType::kFloat64, ""},
                             {"first_token_s", "s", ColumnType::kFloat64, ""},
                             {"status", "1", ColumnType::kInt64, ""}});
    const double nan = std::numeric_limits<double>::quiet_NaN();
    // Window [0, 300): 100 requests with TTFT 0.01 .. 1.00 s: nearest-rank p99 = the 99th = 0.99 s.
    for (int i = 1; i <= 100; ++i) requests.append({1.0 * i, 1.0 * i + 0.01 * i, 0});
    // Window [300, 600): 3 requests, one still waiting at the horizon (arrived at 590: 10 s so
    // far): p99 of {0.5, 2, 10} is 10 s.
    requests.append({310, 310.5, 0});
    requests.append({320, 322, 0});
    requests.append({590, nan, 3});
    requests.flush();
  }
  CHECK(worst_window_ttft_p99_s({}, file, Time::s(300)) == Approx(10.0));
  CHECK(worst_window_ttft_p99_s({{kWorstWindowTtftKey, "1.5"}}, file, Time::s(300)) == 1.5);
  // One window of all 103: the 102nd of 103 sorted is 2 s (rank ceil(0.99 x 103) = 102).
  CHECK(worst_window_ttft_p99_s({}, file, Time::s(600)) == Approx(2.0));
}

namespace {

// Runs nothing: answers every point from a table, counting what it was asked to run.
class TableLauncher : public PointLauncher {
 public:
  int slots() const override { return 2; }
  void launch(std::size_t id, const SweepPoint& p, const std::filesystem::path& folder) override {
    PointResult r{p.key(), true, "", 0, 0, {{"cost_usd", "1"}}, "x.h5", point_inputs(p)};
    write_point_result(folder, p, r);
    launched.push_back(id);
    pending.emplace_back(id, r);
  }
  std::pair<std::size_t, PointResult> wait_one() override {
    auto r = pending.back();
    pending.pop_back();
    return r;
  }
  std::vector<std::size_t> launched;
  std::vector<std::pair<std::size_t, PointResult>> pending;
};

}  // namespace

TEST_CASE("a sweep run again reuses the points that finished and reruns those that failed", "[planning]") {
  test::TempDir dir;
  std::vector<SweepPoint> points;
  for (int i = 0; i < 4; ++i) points.push_back({"x.yaml", {}, {{"v", std::to_string(i)}}, 1, Time::s(300)});
  // As a killed sweep leaves things: point 0 finished, point 2 failed, 1 and 3 never ran.
  write_point_result(dir.path(), points[0],
                     {points[0].key(), true, "", 1, 1, {{"cost_usd", "5"}}, "a.h5", point_inputs(points[0])});
  write_point_result(dir.path(), points[2], {points[2].key(), false, "killed", 1, 1, {}, "", ""});
  TableLauncher launcher;
  const auto results = run_points(points, dir.path(), launcher, {false, "test"});
  std::sort(launcher.launched.begin(), launcher.launched.end());
  CHECK(launcher.launched == std::vector<std::size_t>{1, 2, 3});
  CHECK(results[0].summary.front().second == "5");  // the stored result, not a new one
  CHECK(results[2].ok);
  TableLauncher again;
  run_points(points, dir.path(), again, {false, "test"});
  CHECK(again.launched.empty());
}

namespace {

// $CLUSTERSIM_CONFIG_DIR pointed at a copy of the repository's catalogs and engines while it
// lives, so that a test may edit them.
class CatalogCopy {
 public:
  explicit CatalogCopy(const std::filesystem::path& dir) : dir_(dir / "configs") {
    std::filesystem::create_directories(dir_);
    for (const char* sub : {"hardware", "models", "prices", "engines"})
      std::filesystem::copy(std::filesystem::path(CLUSTERSIM_SOURCE_DIR) / "configs" / sub, dir_ / sub,
                            std::filesystem::copy_options::recursive);
    if (const char* old = std::getenv("CLUSTERSIM_CONFIG_DIR")) old_ = old;
    setenv("CLUSTERSIM_CONFIG_DIR", dir_.c_str(), 1);
  }
  ~CatalogCopy() {
    if (old_)
      setenv("CLUSTERSIM_CONFIG_DIR", old_->c_str(), 1);
    else
      unsetenv("CLUSTERSIM_CONFIG_DIR");
  }
  CatalogCopy(const CatalogCopy&) = delete;
  CatalogCopy& operator=(const CatalogCopy&) = delete;

  // Replaces the first `from` after `after` in catalog file `name` (relative to the folder).
  void edit(const std::string& name, const std::string& after, const std::string& from, const std::string& to) const {
    std::ifstream in(dir_ / name);
    std::stringstream text;
    text << in.rdbuf();
    std::string s = text.str();
    const auto at = s.find(from, s.find(after));
    REQUIRE(at != std::string::npos);
    s.replace(at, from.size(), to);
    std::ofstream(dir_ / name, std::ios::trunc) << s;
  }
  const std::filesystem::path& path() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::optional<std::string> old_;
};

// Runs points in child processes as LocalLauncher does, recording which it was asked to run.
class CountingLauncher : public PointLauncher {
 public:
  int slots() const override { return local_.slots(); }
  void launch(std::size_t id, const SweepPoint& p, const std::filesystem::path& folder) override {
    launched.push_back(id);
    local_.launch(id, p, folder);
  }
  std::pair<std::size_t, PointResult> wait_one() override { return local_.wait_one(); }
  std::vector<std::size_t> launched;

 private:
  LocalLauncher local_{1};
};

}  // namespace

TEST_CASE("a stored point is run again after a catalog file it read changes, and reused while nothing did",
          "[planning]") {
  test::TempDir dir;
  const CatalogCopy catalogs(dir.path());
  const auto scenario =
      dir.write("s.yaml", test::serving_scenario("llama-3-8b", "  pool: {initial_replicas: 1, price: $2/h}\n"));
  const std::vector<SweepPoint> points{{scenario, {{"simulation.horizon", "1 min"}}, {}, 1, Time::s(300)}};
  const auto out = dir.path() / "out";
  CountingLauncher first;
  const auto before = run_points(points, out, first, {false, "test"});
  CHECK(first.launched == std::vector<std::size_t>{0});
  REQUIRE(before[0].ok);
  // The build first, then every file read: the scenario and the GPU catalog among them.
  CHECK(before[0].inputs.rfind("clustersim ", 0) == 0);
  CHECK_THAT(before[0].inputs, Catch::Contains(std::filesystem::weakly_canonical(scenario).string() + " "));
  CHECK_THAT(before[0].inputs,
             Catch::Contains(std::filesystem::weakly_canonical(catalogs.path() / "hardware" / "gpus.yaml").string()));
  CountingLauncher unchanged;
  const auto reused = run_points(points, out, unchanged, {false, "test"});
  CHECK(unchanged.launched.empty());
  CHECK(reused[0].summary == before[0].summary);
  // H100's HBM at 2 TB/s instead of 3.35: decoding, bound by reading the weights, slows down.
  catalogs.edit("hardware/gpus.yaml", "  h100-sxm:", "memory_bandwidth: 3.35 TB/s", "memory_bandwidth: 2 TB/s");
  CountingLauncher edited;
  const auto after = run_points(points, out, edited, {false, "test"});
  CHECK(edited.launched == std::vector<std::size_t>{0});
  REQUIRE(after[0].ok);
  CHECK(after[0].inputs != before[0].inputs);
  CHECK(summary_number(after[0].summary, "tpot_p50_s") > summary_number(before[0].summary, "tpot_p50_s"));
  CountingLauncher again;
  run_points(points, out, again, {false, "test"});
  CHECK(again.launched.empty());
}

TEST_CASE("a stored point whose result came from another build is run again", "[planning]") {
  test::TempDir dir;
  const auto base = dir.write("base.yaml", kQueue);
  const SweepPoint p{base, {{"simulation.horizon", "1 min"}}, {}, 1, Time::s(300)};
  CountingLauncher first;
  run_points({p}, dir.path(), first, {false, "test"});
  REQUIRE(first.launched.size() == 1);
  // As another build would have stored it: the same files, another build ID.
  auto stored = read_point_result(dir.path(), p);
  REQUIRE(stored);
  const auto build = stored->inputs.find(" build ") + 7;
  stored->inputs[build] = stored->inputs[build] == '0' ? '1' : '0';
  write_point_result(dir.path(), p, *stored);
  CountingLauncher again;
  run_points({p}, dir.path(), again, {false, "test"});
  CHECK(again.launched == std::vector<std::size_t>{0});
}

TEST_CASE("a point listed twice runs once and both rows get its result", "[planning]") {
  test::TempDir dir;
  const SweepPoint p{"x.yaml", {}, {{"v", "1"}}, 1, Time::s(300)};
  TableLauncher launcher;
  const auto results = run_points({p, p}, dir.path(), launcher, {false, "test"});
  CHECK(launcher.launched == std::vector<std::size_t>{0});
  CHECK(results[1].key == results[0].key);
  CHECK(results[1].ok);
}

TEST_CASE("a point whose settings do not load fails with the loader's message and the sweep carries on",
          "[planning]") {
  test::TempDir dir;
  const auto base = dir.write("base.yaml", kQueue);
  std::vector<SweepPoint> points{{base, {}, {{"queueing.servers", "0"}}, 1, Time::s(300)},
                                 {base, {{"simulation.horizon", "1 min"}}, {{"queueing.servers", "4"}}, 1, Time::s(300)}};
  LocalLauncher local(2);
  const auto results = run_points(points, dir.path() / "out", local, {false, "test"});
  CHECK_FALSE(results[0].ok);
  CHECK_THAT(results[0].error, Catch::Contains("queueing.servers"));
  REQUIRE(results[1].ok);
  // 4 servers for 1 min at $1/h each: $4/60.
  CHECK(summary_number(results[1].summary, "cost_usd") == Approx(4.0 / 60).epsilon(1e-5));
  CHECK(std::filesystem::exists(dir.path() / "out" / results[1].run_file));
}

TEST_CASE("plan finds the fewest servers without waiting for each candidate and ranks them by cost", "[planning]") {
  // Arrivals every 0.1 s. Candidate A serves in 0.35 s at $1/h a server: 3 servers carry
  // 3 / 0.35 s = 8.6 req/s < 10, so the queue grows; 4 carry 11.4 req/s and, arrivals being
  // evenly spaced, nobody waits (at most 4 requests are in service at once). Candidate B serves in
  // 0.19 s at $2.50/h: 1 server (5.3 req/s) falls behind, 2 (10.5 req/s) keep up. Over
  // 10 min: A costs 4 x $1/h / 6 = $0.667, B 2 x $2.50/h / 6 = $0.833, so A ranks first.
  // Candidate C names an unknown distribution and is pruned without a simulation.
  test::TempDir dir;
  dir.write("base.yaml", kQueue);
  const auto file = dir.write("p.yaml",
                              "scenario: base.yaml\n"
                              "slo: {at_most: {wait_p99_s: 0.001}}\n"
                              "candidates:\n"
                              "  variants:\n"
                              "    - {queueing.service_time.mean: 0.35 s, queueing.price: $1/h}\n"
                              "    - {queueing.service_time.mean: 0.19 s, queueing.price: $2.50/h}\n"
                              "    - {queueing.service_time.distribution: bimodal}\n"
                              "search: {path: queueing.servers, min: 1, max: 9}\n"
                              "probes: 2\n"
                              "output: " +
                                  (dir.path() / "out").string() + "\n");
  const CapacityPlanSpec spec = read_capacity_plan_spec(file);
  LocalLauncher local(2);
  const CapacityPlanResult r = run_capacity_plan(spec, local, false);
  REQUIRE(r.candidates.size() == 3);
  CHECK(r.candidates[0].status == CandidateOutcome::Status::kMeets);
  CHECK(r.candidates[0].answer == 4);
  CHECK_FALSE(r.candidates[0].evaluated.at(3).meets);
  CHECK(r.candidates[0].evaluated.at(4).cost_usd == Approx(4.0 / 6).epsilon(1e-5));
  CHECK(r.candidates[1].answer == 2);
  CHECK(r.candidates[1].evaluated.at(2).cost_usd == Approx(2.5 * 2 / 6).epsilon(1e-5));
  CHECK(r.candidates[2].status == CandidateOutcome::Status::kPruned);
  CHECK_THAT(r.candidates[2].reason, Catch::Contains("bimodal"));
  CHECK(r.candidates[2].evaluated.empty());
  const std::string text = capacity_plan_text(spec, r);
  const auto a = text.find("mean=0.35 s"), b = text.find("mean=0.19 s");
  REQUIRE(a != std::string::npos);
  CHECK(a < b);  // A, the cheaper, is ranked first
}

}  // namespace cs
