#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "../io/h5_read.hpp"
#include "../scenario/scenario_test_files.hpp"
#include "sim/metrics/window_quantile.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/simulation/simulation.hpp"

using namespace cs;
namespace fs = std::filesystem;

namespace {

// A provider of the test's own, so that every figure is known: $3 per H100-hour on demand,
// $1.20 reserved, billed by the second; egress $0.10/GB; PUE 1.5; the server's host draws
// 800 W and its network 80 W beside 8 GPUs (100 W and 10 W a GPU).
const char* kPrices =
    "prices:\n"
    "  providers:\n"
    "    testcloud:\n"
    "      billing: {increment: 1 s}\n"
    "      egress: $0.10/GB\n"
    "      pue: 1.5\n"
    "      source: test\n"
    "      gpus:\n"
    "        h100-sxm: {instance: x8, gpus_per_instance: 8, on_demand: $3/h, reserved_1y: $1.20/h,\n"
    "                   spot: $1/h, spot_interruption_rate: 0.5/h, date: test, source: test}\n"
    "  server_power:\n"
    "    h100-sxm: {gpus_per_server: 8, host_power: 800 W, network_power: 80 W, source: test}\n";

// `more_prices`: further entries of the `prices:` section (indented two spaces).
std::string scenario(const std::string& rate, const std::string& pool, const std::string& more_prices = "",
                     const std::string& autoscaler = "") {
  return std::string("name: c\nseed: 3\nsimulation: {horizon: 20 min, sample_interval: 1 min}\n") + kPrices +
         more_prices +
         "workload:\n"
         "  synthetic:\n"
         "    arrivals: {process: poisson, rate: " + rate + "}\n"
         "    input_tokens: {distribution: fixed, mean: 500}\n"
         "    output_tokens: {distribution: fixed, mean: 100}\n"
         "serving:\n"
         "  model: llama-2-70b\n"
         "  gpu: h100-sxm\n"
         "  tp: 4\n"
         "  replica: {max_num_seqs: 64, max_batched_tokens: 4096}\n"
         "  pool:\n" + pool + autoscaler +
         "  slo: {ttft: 2 s, tpot: 100 ms}\n";
}

fs::path run(const test::TempDir& dir, const std::string& yaml, std::uint64_t seed = 3) {
  LoadOptions load;
  load.seed = seed;
  const Scenario s = load_scenario(dir.write("c.yaml", yaml), load);
  RunOptions o;
  o.output = dir.path() / ("c" + std::to_string(seed) + ".h5");
  run_scenario(s, o);
  return o.output;
}

}  // namespace

TEST_CASE("a fixed pool costs its GPU-hours at the provider's price and draws idle plus busy power times PUE") {
  test::TempDir dir;
  const test::RunOutput s(run(dir, scenario("2/s", "    initial_replicas: 2\n    provider: testcloud\n")));
  // 2 replicas x 4 GPUs for 20 minutes.
  const double gpu_s = 8 * 1200.0;
  CHECK(s.summary("gpu_hours") == Approx(gpu_s / 3600));
  CHECK(s.summary("compute_usd") == Approx(gpu_s / 3600 * 3.0));
  // Boards: 70 W idle + 630 W x compute utilization; host 100 W and network 10 W a GPU; x 1.5.
  const double u = s.summary("compute_utilization_mean");
  REQUIRE(u > 0);
  const double joules = 1.5 * ((70 + 100 + 10) * gpu_s + 630 * u * gpu_s);
  CHECK(s.summary("energy_kwh") == Approx(joules / 3.6e6));
  CHECK(s.summary("avg_power_kw") == Approx(joules / 1200 / 1000));
  CHECK(s.summary("energy_usd") == 0);  // in the rent
  // Egress: the answers' text at 4 bytes a token, $0.10/GB.
  const double bytes = 4 * s.summary("output_tokens_generated");
  CHECK(s.summary("egress_bytes") == Approx(bytes));
  CHECK(s.summary("egress_usd") == Approx(bytes / 1e9 * 0.10));
  CHECK(s.summary("cost_usd") == Approx(s.summary("compute_usd") + s.summary("egress_usd")));
  CHECK(s.summary("usd_per_slo_request") == Approx(s.summary("cost_usd") / s.summary("requests_met_slo")));
  // The peak interval draws at least the mean and at most every GPU at TDP.
  CHECK(s.summary("peak_power_kw") >= s.summary("avg_power_kw"));
  CHECK(s.summary("peak_power_kw") <= 1.5 * 8 * (700 + 110) / 1000.0);
  const auto cost = s.column("/timeline/cost_usd");
  const auto energy = s.column("/timeline/energy_kwh");
  CHECK(cost.back() == Approx(s.summary("cost_usd")));
  CHECK(energy.back() == Approx(s.summary("energy_kwh")));
}

TEST_CASE("owned servers are billed their amortised rate for every GPU owned, idle ones drawing idle power") {
  test::TempDir dir;
  const std::string owned =
      "  owned:\n"
      "    box: {gpu: h100-sxm, gpus_per_server: 8, purchase: $262980, life_years: 3, host_power: 800 W,\n"
      "          pue: 1.25, electricity: $0.20/kWh, date: test, source: test}\n";
  const test::RunOutput s(run(dir, scenario("1/s", "    initial_replicas: 1\n    owned: box\n    owned_gpus: 16\n", owned)));
  // $262,980 over 3 years of 8,766 h is $10 a server-hour, $1.25 a GPU-hour; 16 GPUs owned
  // for 20 minutes, the pool using 4 of them.
  CHECK(s.summary("compute_usd") == Approx(16 * 1.25 / 3));
  const double u = s.summary("compute_utilization_mean");
  const double held_s = 4 * 1200.0, idle_s = 12 * 1200.0;
  const double joules = 1.25 * ((70 + 100) * (held_s + idle_s) + 630 * u * held_s);
  CHECK(s.summary("energy_kwh") == Approx(joules / 3.6e6));
  CHECK(s.summary("energy_usd") == Approx(joules / 3.6e6 * 0.20));
  CHECK(s.summary("cost_usd") == Approx(s.summary("compute_usd") + s.summary("energy_usd") + s.summary("egress_usd")));
}

TEST_CASE("reserved GPUs are billed while idle and GPUs beyond them at the on-demand rate") {
  test::TempDir dir;
  SECTION("16 reserved, 4 held: 16 billed") {
    const test::RunOutput s(run(dir, scenario("0.1/s", "    initial_replicas: 1\n    provider: testcloud\n"
                                               "    option: reserved_1y\n    reserved_gpus: 16\n")));
    CHECK(s.summary("compute_usd") == Approx(16 * 1.20 / 3));
  }
  SECTION("4 reserved, 8 held: 4 at the reserved rate, 4 on demand") {
    const test::RunOutput s(run(dir, scenario("0.1/s", "    initial_replicas: 2\n    provider: testcloud\n"
                                               "    option: reserved_1y\n    reserved_gpus: 4\n")));
    CHECK(s.summary("compute_usd") == Approx(4 * 1.20 / 3 + 4 * 3.0 / 3));
  }
}

TEST_CASE("a replica is billed from the instant it is provisioned, booting or not") {
  test::TempDir dir;
  // The autoscaler orders a second replica at its first evaluation; it boots for an hour, so
  // within the 20 minutes it never serves, yet it is paid for.
  const std::string autoscaler =
      "    autoscaler:\n"
      "      target: {metric: concurrency, value: 0.1}\n"
      "      period: 30 s\n"
      "      provisioning: 1 h\n"
      "      min_replicas: 1\n"
      "      max_replicas: 2\n";
  const test::RunOutput s(run(dir, scenario("2/s", "    initial_replicas: 1\n    provider: testcloud\n", "", autoscaler)));
  const auto ready = s.column("/timeline/replicas_ready");
  CHECK(*std::max_element(ready.begin(), ready.end()) == 1);
  // The first replica's 20 minutes and at least 19 of the second's.
  CHECK(s.summary("gpu_hours") >= 4 * (20 + 19) / 60.0);
  CHECK(s.summary("compute_usd") == Approx(s.summary("gpu_hours") * 3.0));
}

TEST_CASE("hourly billing rounds each replica's time up to whole hours") {
  test::TempDir dir;
  std::string yaml = scenario("0.1/s", "    initial_replicas: 2\n    provider: testcloud\n");
  yaml.replace(yaml.find("increment: 1 s"), 14, "increment: 1 h");
  const test::RunOutput s(run(dir, yaml));
  // Two 4-GPU replicas held 20 minutes: each billed a whole hour.
  CHECK(s.summary("gpu_hours") == Approx(8 / 3.0));
  CHECK(s.summary("compute_usd") == Approx(2 * 4 * 1.0 * 3.0));
}

TEST_CASE("spot reclaims over many seeds match the interruption rate times the replica-hours exposed") {
  test::TempDir dir;
  // Four TP4 replicas kept by the autoscaler's minimum; each reclaimed replica drains (at once:
  // no load) and is replaced after a minute's provisioning. Rate: 3 per instance-hour.
  const std::string autoscaler =
      "    autoscaler:\n"
      "      target: {metric: concurrency, value: 100}\n"
      "      period: 10 s\n"
      "      provisioning: 1 min\n"
      "      min_replicas: 4\n"
      "      max_replicas: 8\n";
  std::string yaml = scenario("0.001/s", "    initial_replicas: 4\n    provider: testcloud\n    option: spot\n"
                                         "    spot_interruption_rate: 3/h\n",
                              "", autoscaler);
  double reclaims = 0, replica_hours = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const test::RunOutput s(run(dir, yaml, seed));
    reclaims += s.summary("spot_interruptions");
    replica_hours += s.summary("gpu_hours") / 4;
    // $1 a GPU-hour, each replica's time rounded up to the next second.
    CHECK(s.summary("compute_usd") >= s.summary("gpu_hours") * 1.0);
    CHECK(s.summary("compute_usd") <= s.summary("gpu_hours") * 1.0 + s.summary("replicas_created") * 4 / 3600.0);
  }
  // Reclaims are Poisson with mean rate x exposure (~80 replica-hours x 3/h = ~240): within
  // four standard deviations.
  const double expected = 3 * replica_hours;
  CHECK(std::abs(reclaims - expected) < 4 * std::sqrt(expected));
  CHECK(replica_hours >= 20 * 4 / 3.0 * 0.9);  // the autoscaler kept ~4 replicas
}

TEST_CASE("the worst window's p99 TTFT is what /requests gives window by window") {
  test::TempDir dir;
  const test::RunOutput s(run(dir, scenario("3/s", "    initial_replicas: 1\n    provider: testcloud\n",
                                    "", "") +
                               "output: {slo_window: 2 min}\n"));
  const auto status = s.column("/requests/status");
  const auto arrival = s.column("/requests/arrival_s");
  const auto first = s.column("/requests/first_token_s");
  const auto finish = s.column("/requests/finish_s");
  std::map<long, std::vector<double>> windows;
  for (std::size_t i = 0; i < status.size(); ++i)
    if (status[i] == 0) windows[static_cast<long>(std::floor(finish[i] / 120))].push_back(first[i] - arrival[i]);
  REQUIRE(windows.size() >= 5);
  double worst = 0;
  for (auto& [w, ttft] : windows) {
    std::sort(ttft.begin(), ttft.end());
    const std::size_t rank = static_cast<std::size_t>(std::ceil(0.99 * static_cast<double>(ttft.size())));
    worst = std::max(worst, ttft[rank - 1]);
  }
  CHECK(s.summary("worst_window_ttft_p99_s") == Approx(worst).epsilon(1e-9));
  CHECK(s.summary("worst_window_ttft_p99_s") >= s.summary("ttft_p99_s") * 0.99);
}

TEST_CASE("a baseline run's figures are subtracted: one replica more costs its GPU-hours at the price") {
  test::TempDir dir;
  const test::RunOutput s(run(dir, scenario("0.5/s", "    initial_replicas: 2\n    provider: testcloud\n") +
                               "compare_to: {set: [\"serving.pool.initial_replicas=1\"]}\n"));
  // One 4-GPU replica for 20 minutes at $3 per GPU-hour.
  CHECK(s.summary("extra_gpu_hours") == Approx(4 / 3.0));
  CHECK(s.summary("baseline_cost_usd") + s.summary("extra_cost_usd") == Approx(s.summary("cost_usd")));
  CHECK(s.summary("extra_cost_usd") == Approx(4.0).margin(0.01));  // + the egress of the few extra tokens
  CHECK(fs::exists(dir.path() / "c3.baseline.h5"));
}

TEST_CASE("a pool naming an unknown provider or an option it does not list is refused at its key") {
  test::TempDir dir;
  const auto load = [&](const std::string& pool) { return load_scenario(dir.write("c.yaml", scenario("1/s", pool))); };
  CHECK_THROWS_WITH(load("    provider: testclod\n"),
                    Catch::Contains("serving.pool.provider: unknown provider 'testclod'") &&
                        Catch::Contains("did you mean 'testcloud'"));
  CHECK_THROWS_WITH(load("    provider: testcloud\n    option: reserved_3y\n"),
                    Catch::Contains("serving.pool.option:") && Catch::Contains("no reserved_3y price"));
  CHECK_THROWS_WITH(load("    provider: testcloud\n    option: spot\n"),
                    Catch::Contains("serving.pool.option: a spot pool needs an `autoscaler:`"));
  CHECK_THROWS_WITH(load("    provider: testcloud\n    price: $2/h\n"), Catch::Contains("give one of price, provider or owned"));
}

TEST_CASE("a training cluster draws idle power on every GPU in service and TDP on busy ones, times PUE") {
  // 2 nodes of 8 H100s on testcloud (PUE 1.5; host 100 W and network 10 W a GPU); one
  // fixed-work job of 8 GPUs runs the first 30 min of the hour (fixed work: utilization 1).
  const auto yaml = [](const std::string& option) {
    return std::string("name: t\nseed: 3\nsimulation: {horizon: 1 h, sample_interval: 1 min}\n") + kPrices +
           "cluster:\n"
           "  nodes: 2\n"
           "  gpus_per_node: 8\n"
           "  gpu: h100-sxm\n"
           "  provider: testcloud\n"
           "  option: " +
           option +
           "\n"
           "jobs:\n"
           "  - {name: a, gpus: 8, duration: 30 min}\n";
  };
  test::TempDir dir;
  const test::RunOutput s(run(dir, yaml("on_demand")));
  // Static: 16 GPUs x (70 + 100 + 10) W x 3600 s = 10.368 MJ; busy: 8 x (700 - 70) W x 1800 s
  // = 9.072 MJ; x 1.5 = 29.16 MJ = 8.1 kWh over the hour.
  CHECK(s.summary("cluster.energy_kwh") == Approx(8.1));
  CHECK(s.summary("cluster.avg_power_kw") == Approx(8.1));
  // While the job runs: 1.5 x (16 x 180 + 8 x 630) W = 11.88 kW.
  CHECK(s.summary("cluster.peak_power_kw") == Approx(11.88));
  CHECK(s.summary("cluster.energy_usd") == 0);  // electricity is in the rent
  CHECK(s.summary("cluster_cost_usd") == Approx(16 * 3.0));

  // Reserved: all 16 GPUs billed for the hour at $1.20 though the job used 8 for half of it.
  const test::RunOutput r(run(dir, yaml("reserved_1y"), 4));
  CHECK(r.summary("cluster_cost_usd") == Approx(16 * 1.20));
  CHECK(r.summary("jobs_cost_usd") == Approx(8 * 0.5 * 1.20));
}
