#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "../io/h5_read.hpp"
#include "../scenario/scenario_test_files.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/simulation/simulation.hpp"

using namespace cs;
namespace fs = std::filesystem;

namespace {

fs::path example(const std::string& name) {
  return fs::path(CLUSTERSIM_SOURCE_DIR) / "configs" / "scenarios" / (name + ".yaml");
}

fs::path run(const test::TempDir& dir, const Scenario& s) {
  RunOptions o;
  o.output = dir.path() / (s.name + ".h5");
  run_scenario(s, o);
  return o.output;
}

fs::path run_example(const test::TempDir& dir, const std::string& name, std::vector<std::string> overrides = {}) {
  LoadOptions l;
  l.overrides = std::move(overrides);
  return run(dir, load_scenario(example(name), l));
}

}  // namespace

TEST_CASE("two whole-cluster jobs under FIFO run one after the other, and /jobs and /summary say so") {
  test::TempDir dir;
  // 16 GPUs. a: 16 GPUs for 1 h from t = 0; b: 8 GPUs for 30 min from t = 10 min, which must
  // wait for a (FIFO, nothing free): b starts at 1 h, ends at 1.5 h, queued 50 min.
  const fs::path file =
      run(dir, load_scenario(dir.write("fifo.yaml",
                                       "name: fifo\n"
                                       "simulation: {horizon: 2 h, sample_interval: 10 min}\n"
                                       "cluster: {nodes: 2, gpus_per_node: 8, price: $2/h}\n"
                                       "jobs:\n"
                                       "  - {name: a, submit: 0 s, gpus: 16, duration: 1 h}\n"
                                       "  - {name: b, submit: 10 min, gpus: 8, duration: 30 min}\n")));
  test::RunOutput out(file);
  const auto id = out.column("/jobs/id");
  const auto start = out.column("/jobs/start_s");
  const auto end = out.column("/jobs/end_s");
  const auto queue = out.column("/jobs/queue_s");
  const auto cost = out.column("/jobs/cost_usd");
  REQUIRE(id.size() == 2);
  const std::size_t a = id[0] == 1 ? 0 : 1, b = 1 - a;
  const auto names = out.text("/jobs/name");
  CHECK(names[a] == "a");
  CHECK(names[b] == "b");
  CHECK(start[a] == 0);
  CHECK(end[a] == 3600);
  CHECK(start[b] == 3600);
  CHECK(end[b] == 5400);
  CHECK(queue[b] == 3000);
  CHECK(cost[a] == Approx(16 * 1 * 2.0));   // 16 GPUs x 1 h x $2
  CHECK(cost[b] == Approx(8 * 0.5 * 2.0));  // 8 GPUs x 0.5 h x $2
  CHECK(out.summary("jobs_finished") == 2);
  CHECK(out.summary("job_completion_mean_s") == Approx((3600 + 4800) / 2.0));  // b: 5400 - 600
  CHECK(out.summary("job_queue_mean_s") == Approx((0 + 3000) / 2.0));
  // GPU-seconds used / GPU-seconds in service: (16 x 3600 + 8 x 1800) / (16 x 7200).
  CHECK(out.summary("cluster_utilization") == Approx(0.625));
  CHECK(out.summary("cluster_cost_usd") == Approx(16 * 2 * 2.0));  // the cluster for 2 h
  // The allocation timeline: 16 GPUs until 1 h, then 8 until 1.5 h, then none.
  const auto t = out.column("/timeline/time_s");
  const auto allocated = out.column("/timeline/gpus_allocated");
  const auto waiting = out.column("/timeline/jobs_waiting");
  REQUIRE(t.size() == 13);
  CHECK(allocated[3] == 16);  // 30 min
  CHECK(waiting[3] == 1);
  CHECK(allocated[7] == 8);   // 70 min
  CHECK(allocated[10] == 0);  // 100 min
}

TEST_CASE("the Alibaba replay writes one /jobs row per pod of the trace") {
  test::TempDir dir;
  const fs::path file = run_example(dir, "alibaba_replay");
  test::RunOutput out(file);
  const auto id = out.column("/jobs/id");
  CHECK(id.size() == 8152);  // data rows of alibaba_gpu_v2023_openb_pod_list_default.csv
  const std::set<double> unique(id.begin(), id.end());
  CHECK(unique.size() == 8152);
  CHECK(*unique.begin() == 1);
  CHECK(*unique.rbegin() == 8152);
  CHECK(out.summary("jobs_submitted") == 8152);
  CHECK(out.summary("jobs_table_rows") == 8152);
  CHECK(out.summary("job_trace_rows_skipped") == 0);
}

TEST_CASE("the GPT-3 175B calibration reports Megatron-LM's 140 TFLOP/s per GPU and 34 days within 10%") {
  test::TempDir dir;
  // The iteration time does not depend on the horizon: one hour is enough to report it.
  const fs::path file = run_example(dir, "gpt3_175b_calibration", {"simulation.horizon=1 h"});
  test::RunOutput out(file);
  CHECK(out.summary("training_tflops_per_gpu") == Approx(140).epsilon(0.10));
  CHECK(out.summary("training_days_for_budget") == Approx(34).epsilon(0.10));
  // Consistency of the reported figures: days = 300e9 tokens / (tokens/s) / 86,400, and tokens
  // per second = 1,536 x 2,048 tokens per iteration / iteration time.
  const double iteration_s = out.summary("training_iteration_s");
  CHECK(out.summary("training_tokens_per_s") == Approx(1536.0 * 2048 / iteration_s));
  CHECK(out.summary("training_days_for_budget") == Approx(300e9 / out.summary("training_tokens_per_s") / 86400));
  CHECK(out.summary("training_mfu") > 0.3);
  CHECK(out.summary("training_mfu") < 0.5);
  const auto mfu = out.column("/jobs/mfu");
  REQUIRE(mfu.size() == 1);
  CHECK(mfu[0] == Approx(out.summary("training_mfu")).epsilon(0.01));
}

TEST_CASE("during the launch-day spike serving borrows GPUs and the preemptible training job gives them up") {
  test::TempDir dir;
  // Ramp 30 min -> 2 h to 10x, hold to 3.5 h. 2.5 h covers the ramp and the start of the hold.
  const fs::path file = run_example(dir, "colocation_spike", {"simulation.horizon=150 min"});
  test::RunOutput out(file);
  const auto t = out.column("/timeline/time_s");
  const auto lent = out.column("/timeline/gpus_lent");
  const auto allocated = out.column("/timeline/gpus_allocated");
  const auto ready = out.column("/timeline/replicas_ready");
  REQUIRE(t.size() == lent.size());
  // Before the spike: 3 replicas of 4 GPUs lent, both training jobs (256 + 224 GPUs) running.
  CHECK(lent[0] == 12);
  CHECK(allocated[0] == 480);
  double peak_lent = 0, least_allocated = 1e9, peak_ready = 0;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (t[i] >= 3600) {
      peak_lent = std::max(peak_lent, lent[i]);
      least_allocated = std::min(least_allocated, allocated[i]);
      peak_ready = std::max(peak_ready, ready[i]);
    }
  CHECK(peak_lent > 12 + 20);     // more than the 20 GPUs left free: preemption was needed
  CHECK(least_allocated == 256);  // only the protected job kept its GPUs
  CHECK(peak_ready * 4 <= peak_lent);
  // The stable (concurrency) target borrows once for the spike: one eviction, no flapping
  // (a p99 TTFT target created 96 replicas and evicted the job 4 times over the 6 h).
  CHECK(out.summary("job_preemptions") == 1);
  // No flapping: the ready count rises through the ramp and turns down at most once (trimming
  // the overshoot once the ramp holds), and no replica is made again after one was removed.
  int turns = 0, last_direction = 0;
  for (std::size_t i = 1; i < ready.size(); ++i) {
    const int direction = ready[i] > ready[i - 1] ? 1 : ready[i] < ready[i - 1] ? -1 : 0;
    if (direction == 0) continue;
    turns += last_direction != 0 && direction != last_direction;
    last_direction = direction;
  }
  CHECK(turns <= 1);
  CHECK(out.summary("replicas_created") <= peak_ready);
  const auto preemptions = out.column("/jobs/preemptions");
  const auto priority = out.column("/jobs/priority");
  REQUIRE(preemptions.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) CHECK((priority[i] == 10 ? preemptions[i] == 0 : preemptions[i] >= 1));
}

TEST_CASE("a node failure under a serving replica ends its GPU loan and the run carries on") {
  test::TempDir dir;
  // A GPU MTBF of 20 h on 512 GPUs: a node failure every ~2.3 min, ~60 in 150 min; with 12-64
  // of the 512 GPUs lent, several land on a lent node.
  const fs::path file = run_example(dir, "colocation_spike",
                                    {"simulation.horizon=150 min", "cluster.failures.enabled=true",
                                     "cluster.failures.gpu_mtbf=20 h", "cluster.failures.repair_time=30 min"});
  test::RunOutput out(file);
  CHECK(out.summary("node_failures") >= 1);
  CHECK(out.summary("gpu_loans_revoked") >= 1);
  CHECK(out.summary("gpu_loans_revoked") <= out.summary("node_failures"));
}
