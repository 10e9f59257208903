// Hostile and extreme input, through the real executable: each case is a clear error with its
// location (exit 2), a clean failure (exit 1) or a bounded run; none crashes or hangs (every
// run is under `timeout`, see clustersim_process.hpp). The inputs are in tests/data/hostile/.
#include <catch2/catch.hpp>

#include <hdf5.h>

#include <filesystem>
#include <string>
#include <utility>

#include "../io/h5_read.hpp"
#include "clustersim_process.hpp"

namespace fs = std::filesystem;
using cs::test::clustersim;
using cs::test::Outcome;
using cs::test::TempDir;

namespace {

std::string hostile(const std::string& name) {
  return (fs::path(CLUSTERSIM_SOURCE_DIR) / "tests" / "data" / "hostile" / name).string();
}

// Runs `run FILE -o DIR/out.h5` and checks that nothing was left under the output's names.
Outcome run_refused(const TempDir& dir, const std::string& file) {
  const fs::path h5 = dir.path() / "out.h5";
  const Outcome r = clustersim(dir, "run " + hostile(file) + " -o " + h5.string());
  CHECK_FALSE(fs::exists(h5));
  CHECK_FALSE(fs::exists(h5.string() + ".partial"));
  return r;
}

}  // namespace

TEST_CASE("a YAML alias bomb is refused while it expands, at its line") {
  TempDir dir;
  const Outcome r = run_refused(dir, "alias_bomb.yaml");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("alias_bomb.yaml:2:"));
  CHECK_THAT(r.err, Catch::Contains("expands to more than 250000 values"));
}

TEST_CASE("a map of 80,000 keys with one repeated is checked in linear time and the repeat named") {
  TempDir dir;
  std::string text = "big:\n";
  for (int i = 0; i < 80'000; ++i) text += "  k" + std::to_string(i) + ": " + std::to_string(i) + "\n";
  text += "  k17: 1\n";
  const Outcome r = clustersim(dir, "validate " + dir.write("keys.yaml", text).string());
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("keys.yaml:80002:3: big.k17: duplicate key"));
}

TEST_CASE("a looped trace whose rows share one timestamp is refused instead of looping every nanosecond") {
  TempDir dir;
  const Outcome r = run_refused(dir, "zero_span_loop.yaml");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("zero_span_loop.yaml:14:"));
  CHECK_THAT(r.err, Catch::Contains(": workload.trace.loop: "));
  CHECK_THAT(r.err, Catch::Contains("same_time.csv: every row has the same arrival time"));
  CHECK_THAT(r.err, Catch::Contains("loop_period"));
}

TEST_CASE("demand jitter and multipliers past their documented limits are refused at their keys") {
  TempDir dir;
  const Outcome jitter = run_refused(dir, "huge_jitter.yaml");
  CHECK(jitter.exit_code == 2);
  CHECK_THAT(jitter.err, Catch::Contains("huge_jitter.yaml:17:13: workload.demand.jitter: the jitter must be between"));
  const Outcome peak = run_refused(dir, "huge_multiplier.yaml");
  CHECK(peak.exit_code == 2);
  CHECK_THAT(peak.err, Catch::Contains("huge_multiplier.yaml:16:5: workload.demand: the demand peaks at 4294967296"));
  CHECK_THAT(peak.err, Catch::Contains("the limit is 1000x"));
}

TEST_CASE("an unbounded request queue cannot be asked for: max_queued_requests 0 is refused") {
  TempDir dir;
  const Outcome r = run_refused(dir, "unbounded_queue.yaml");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("serving.pool.max_queued_requests: value 0"));
}

TEST_CASE("initial replicas that do not fit the topology are an input error at their line") {
  TempDir dir;
  const Outcome r = run_refused(dir, "unplaceable_replicas.yaml");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("unplaceable_replicas.yaml:12:23: serving.pool.initial_replicas: 3 initial "
                                    "replicas of 8 GPUs do not fit the topology's 1 replica slots"));
}

TEST_CASE("validate refuses initial replicas that do not fit the topology, as run does, and writes nothing") {
  TempDir dir;
  for (const char* build : {"", "--build "}) {
    const Outcome r = clustersim(dir, std::string("validate ") + build + hostile("unplaceable_replicas.yaml"));
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("unplaceable_replicas.yaml:12:23: serving.pool.initial_replicas: 3 initial "
                                      "replicas of 8 GPUs do not fit the topology's 1 replica slots"));
  }
  // A scenario whose models build is valid under --build too.
  CHECK(clustersim(dir, "validate --build " + (fs::path(CLUSTERSIM_SOURCE_DIR) / "configs" / "scenarios" /
                                               "heterogeneous_pools.yaml").string())
            .exit_code == 0);
}

TEST_CASE("validate refuses what a spec's own validate finds, at the key, as run does") {
  TempDir dir;
  for (const char* command : {"validate ", "run "}) {
    const std::string out = std::string(command) == "run " ? " -o " + (dir.path() / "x.h5").string() : "";
    const Outcome floor = clustersim(dir, command + hostile("autoscaler_floor_above_ceiling.yaml") + out);
    CHECK(floor.exit_code == 2);
    CHECK_THAT(floor.err, Catch::Contains("autoscaler_floor_above_ceiling.yaml:13:21: serving.pool.autoscaler."
                                          "max_replicas: max_replicas (2) is below min_replicas (4)"));
    const Outcome batch = clustersim(dir, command + hostile("uneven_global_batch.yaml") + out);
    CHECK(batch.exit_code == 2);
    CHECK_THAT(batch.err, Catch::Contains("uneven_global_batch.yaml:16:19: training[0].global_batch: the global "
                                          "batch (1000) must be a multiple of micro_batch x dp (16)"));
  }
}

TEST_CASE("every hostile scenario is refused by validate exactly when run refuses it, with the same message") {
  TempDir dir;
  for (const auto& entry : fs::directory_iterator(hostile(""))) {
    if (entry.path().extension() != ".yaml") continue;
    const std::string name = entry.path().filename().string();
    INFO(name);
    const Outcome checked = clustersim(dir, "validate " + entry.path().string());
    const Outcome ran =
        clustersim(dir, "run " + entry.path().string() + " -o " + (dir.path() / (name + ".h5")).string());
    // Refused at load, or run to its end: never a model that fails once built or started.
    CHECK(ran.exit_code != 1);
    if (ran.exit_code != 2) {
      CHECK(checked.exit_code == 0);
      continue;
    }
    CHECK(checked.exit_code == 2);
    // The first line names the file, line, column and key path; run adds nothing before it.
    const std::string first = ran.err.substr(0, ran.err.find('\n'));
    CHECK_THAT(checked.err, Catch::Contains(first));
  }
}

TEST_CASE("the workload, cluster, network and pricing specs' own validate() refuse at the key, in validate as in run") {
  TempDir dir;
  const std::pair<const char*, const char*> cases[] = {
      {"synthetic_end_before_start.yaml", ":16:10: workload.synthetic.end: the end must come after the start"},
      {"spares_fill_cluster.yaml",
       ":8:42: cluster.failures.spare_nodes: spare_nodes must leave some of the 4 nodes in service"},
      // Both ran until the job first started and then failed as a simulation error (exit 1).
      {"unsupported_collective_algorithm.yaml",
       ":17:18: collectives.jobs[0].algorithm: algorithm nvls cannot run all_reduce on these 8 GPUs of this topology"},
      {"send_recv_group.yaml",
       ":12:7: collectives.jobs[0].gpus: send_recv runs between two GPUs (a sender and a receiver), not 16"},
      {"reserved_gpus_on_demand.yaml",
       ":12:20: serving.pool.reserved_gpus: reserved_gpus goes with option: reserved_1y or reserved_3y"},
  };
  for (const auto& [file, message] : cases) {
    INFO(file);
    for (const char* command : {"validate ", "run "}) {
      const std::string out = std::string(command) == "run " ? " -o " + (dir.path() / "x.h5").string() : "";
      const Outcome r = clustersim(dir, command + hostile(file) + out);
      CHECK(r.exit_code == 2);
      CHECK_THAT(r.err, Catch::Contains(std::string(file) + message));
    }
  }
}

TEST_CASE("an explicit topology whose GPUs are not connected is refused at its links") {
  TempDir dir;
  const Outcome r = run_refused(dir, "disconnected_topology.yaml");
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("disconnected_topology.yaml:10:5: topology.links: the GPUs are not all "
                                    "connected: a cannot reach b"));
}

TEST_CASE("a fabric bandwidth of 0 is refused and `auto` names the NIC rate") {
  TempDir dir;
  const Outcome zero = run_refused(dir, "zero_fabric_bandwidth.yaml");
  CHECK(zero.exit_code == 2);
  CHECK_THAT(zero.err, Catch::Contains("zero_fabric_bandwidth.yaml:7:41: topology.fabric.bandwidth"));
  const Outcome automatic = clustersim(dir, "validate " + hostile("zero_fabric_bandwidth.yaml") +
                                                " --set topology.fabric.bandwidth=auto");
  CHECK(automatic.exit_code == 0);
}

TEST_CASE("a missing trace and a trace with a bad header are reported at the scenario key by validate") {
  TempDir dir;
  const Outcome missing = clustersim(dir, "validate " + hostile("missing_trace.yaml"));
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("missing_trace.yaml:13:11: workload.trace.path: no such file"));
  const Outcome header = clustersim(dir, "validate " + hostile("bad_trace_header.yaml"));
  CHECK(header.exit_code == 2);
  CHECK_THAT(header.err, Catch::Contains("bad_trace_header.yaml:13:11: workload.trace.path: "));
  CHECK_THAT(header.err, Catch::Contains("bad_header.csv:1: missing column 'TIMESTAMP'"));
}

TEST_CASE("a trace not beside the scenario is found in $CLUSTERSIM_TRACE_DIR, by the path as written") {
  TempDir dir;
  const fs::path scenario = dir.write("s.yaml", cs::test::slurp(hostile("zero_span_loop.yaml")));
  const Outcome without = clustersim(dir, "validate " + scenario.string(), "env -u CLUSTERSIM_TRACE_DIR");
  CHECK(without.exit_code == 2);
  CHECK_THAT(without.err, Catch::Contains("$CLUSTERSIM_TRACE_DIR is not set"));
  const Outcome with =
      clustersim(dir, "validate " + scenario.string(), "CLUSTERSIM_TRACE_DIR=" + hostile("") + " ");
  // Found there, the trace is read, and its rows (all at one instant) refused for the loop.
  CHECK(with.exit_code == 2);
  CHECK_THAT(with.err, Catch::Contains(hostile("same_time.csv") + ": every row has the same arrival time"));
}

TEST_CASE("a sample interval past the horizon and a horizon ending before the demand spike warn") {
  TempDir dir;
  const Outcome interval = clustersim(dir, "validate " + hostile("long_sample_interval.yaml"));
  CHECK(interval.exit_code == 0);
  CHECK_THAT(interval.err, Catch::Contains("warning: "));
  CHECK_THAT(interval.err, Catch::Contains("simulation.sample_interval: the sample interval (2m 00.0s) is longer "
                                           "than the horizon (1m 00.0s)"));
  const fs::path launch = fs::path(CLUSTERSIM_SOURCE_DIR) / "configs" / "scenarios" / "launch_day.yaml";
  const Outcome spike = clustersim(dir, "validate " + launch.string() + " --set simulation.horizon=\"20 min\"");
  CHECK(spike.exit_code == 0);
  CHECK_THAT(spike.err, Catch::Contains("workload.demand: the horizon (20m 00.0s) ends before the demand spike "
                                        "starts (at 30m 00.0s"));
}

TEST_CASE("a negative or oversized --seed is refused instead of wrapping around") {
  TempDir dir;
  const std::string ok = dir.write("ok.yaml", cs::test::kValidScenario).string();
  for (const char* seed : {"-5", "18446744073709551611", "9223372036854775808", "7x"}) {
    const Outcome r = clustersim(dir, "validate " + ok + " --seed " + seed);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("--seed: expected a whole number from 0 to 2^63-1"));
  }
  CHECK(clustersim(dir, "validate " + ok + " --seed 9223372036854775807").exit_code == 0);
}

TEST_CASE("run refuses an output (-o) onto a device, a directory or a path ending in / before simulating") {
  TempDir dir;
  const std::string ok = dir.write("ok.yaml", cs::test::kValidScenario).string();
  const Outcome device = clustersim(dir, "run " + ok + " -o /dev/null");
  CHECK(device.exit_code == 2);
  CHECK_THAT(device.err, Catch::Contains("/dev/null exists and is not a regular file"));
  CHECK(fs::is_character_file("/dev/null"));
  CHECK_FALSE(fs::exists("/dev/null.partial"));
  const Outcome folder = clustersim(dir, "run " + ok + " -o " + dir.path().string());
  CHECK(folder.exit_code == 2);
  CHECK_THAT(folder.err, Catch::Contains("is a directory"));
  const Outcome slash = clustersim(dir, "run " + ok + " -o " + (dir.path() / "new").string() + "/");
  CHECK(slash.exit_code == 2);
  CHECK_FALSE(fs::exists(dir.path() / "new"));
  const Outcome trace = clustersim(dir, "run " + ok + " -o x.h5 --trace-events /dev/null");
  CHECK(trace.exit_code == 2);
  CHECK_FALSE(fs::exists(dir.path() / "x.h5"));
}

TEST_CASE("a full disk ends the run with exit 1, a message, and no file under either name") {
  // The write failure is made by a file-size limit (the kernel answers EFBIG, as a full disk
  // answers ENOSPC; SIGXFSZ ignored so the write returns the error).
  TempDir dir;
  const fs::path launch = fs::path(CLUSTERSIM_SOURCE_DIR) / "configs" / "scenarios" / "launch_day.yaml";
  const fs::path h5 = dir.path() / "full.h5";
  const Outcome r = clustersim(dir, "run " + launch.string() + " -q -o " + h5.string() +
                                        " --set simulation.horizon=\"20 min\"",
                               "trap '' XFSZ; ulimit -f 64;");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("simulation error: HDF5: cannot"));
  CHECK_FALSE(fs::exists(h5));
  CHECK_FALSE(fs::exists(h5.string() + ".partial"));
}

TEST_CASE("a stale .partial from a killed run is replaced, and the run's /meta carries the --seed used") {
  TempDir dir;
  const std::string ok = dir.write("ok.yaml", cs::test::kValidScenario).string();
  const fs::path h5 = dir.path() / "ok.h5";
  dir.write("ok.h5.partial", "left behind by a killed run, not HDF5");
  const Outcome r = clustersim(dir, "run " + ok + " -q --seed 42 -o " + h5.string());
  REQUIRE(r.exit_code == 0);
  CHECK_FALSE(fs::exists(h5.string() + ".partial"));
  const hid_t f = H5Fopen(h5.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  const hid_t meta = H5Gopen2(f, "meta", H5P_DEFAULT);
  CHECK(cs::test::read_number_attribute(meta, "seed") == 42);
  CHECK_THAT(cs::test::read_string_attribute(meta, "scenario_resolved_yaml"), Catch::Contains("seed: 42"));
  H5Gclose(meta);
  H5Fclose(f);
}
