// What other tools read: the Perfetto trace (parsed back here with nlohmann-json), the summary
// as JSON and CSV, code columns as HDF5 enums, and the collective command's size units.
#include <catch2/catch.hpp>

#include <hdf5.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "../io/h5_read.hpp"
#include "clustersim_process.hpp"

namespace fs = std::filesystem;
using cs::test::clustersim;
using cs::test::Outcome;
using cs::test::TempDir;
using nlohmann::json;

namespace {

std::string example(const std::string& name) {
  return (fs::path(CLUSTERSIM_SOURCE_DIR) / "configs" / "scenarios" / name).string();
}

json trace_of(const fs::path& file) { return json::parse(cs::test::slurp(file)); }

std::map<int, std::string> process_names(const json& t) {
  std::map<int, std::string> names;
  for (const json& e : t["traceEvents"])
    if (e["ph"] == "M" && e["name"] == "process_name") names[e["pid"].get<int>()] = e["args"]["name"];
  return names;
}

}  // namespace

TEST_CASE("the serving trace has replica iterations, request phases and counters inside the window") {
  TempDir dir;
  const fs::path file = dir.path() / "t.json";
  const Outcome r = clustersim(dir, "run " + example("launch_day.yaml") + " -q -o x.h5 --set simulation.horizon=\"5 min\"" +
                                        " --trace-events " + file.string() +
                                        " --trace-from \"1 min\" --trace-to \"4 min\" --trace-requests 1");
  REQUIRE(r.exit_code == 0);
  const json t = trace_of(file);
  const auto names = process_names(t);
  CHECK(names.at(1) == "serving chat");
  CHECK(names.at(1001) == "requests chat");
  int iterations = 0, counters = 0;
  std::map<std::int64_t, std::vector<json>> requests;
  for (const json& e : t["traceEvents"]) {
    if (e["ph"] == "M") continue;
    const double ts = e["ts"];
    if (e["ph"] == "C") {
      ++counters;
      CHECK(ts >= 60e6);
      CHECK(ts <= 240e6);
      continue;
    }
    const double end = ts + e["dur"].get<double>();
    CHECK(end >= 60e6);
    if (e["pid"] == 1) {
      ++iterations;
      CHECK(ts <= 240e6);
      const json& a = e["args"];
      // A batch is its decoding sequences plus the sequences it prefills (at least one token each).
      CHECK(a["batch_size"].get<int>() >= a["decode_sequences"].get<int>());
      CHECK(a["prefill_tokens"].get<int>() >= a["batch_size"].get<int>() - a["decode_sequences"].get<int>());
      const std::string expected = a["prefill_tokens"] == 0 ? "decode" : a["decode_sequences"] == 0 ? "prefill" : "prefill+decode";
      CHECK(e["name"] == expected);
    } else if (e["pid"] == 1001) {
      requests[e["tid"].get<std::int64_t>()].push_back(e);
    }
  }
  CHECK(iterations > 100);
  // Two counters (queue_depth, replicas) every 30 s sample from 1 min to 4 min: 7 ticks.
  CHECK(counters == 2 * 7);
  REQUIRE(requests.size() > 100);
  for (const auto& [id, phases] : requests) {
    // queued, prefill, decode: back to back, each starting where the one before ended.
    REQUIRE(phases.size() == 3);
    CHECK(phases[0]["name"] == "queued");
    CHECK(phases[1]["name"] == "prefill");
    CHECK(phases[2]["name"] == "decode");
    for (int k = 1; k < 3; ++k)
      CHECK(std::abs(phases[k - 1]["ts"].get<double>() + phases[k - 1]["dur"].get<double>() - phases[k]["ts"].get<double>()) < 0.01);
  }
  CHECK(t["otherData"]["requests_drawn"] == requests.size());
  CHECK(t["otherData"]["events_dropped"] == 0);
  // /meta pins every file the run read: the trace (its key, path, size and SHA-256 as
  // data/traces/SOURCES.md gives them), the scenario and the catalogs the load opened.
  const hid_t f = H5Fopen((dir.path() / "x.h5").c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  const hid_t meta = H5Gopen2(f, "meta", H5P_DEFAULT);
  const auto attribute = [&](std::size_t i, const std::string& field) {
    return cs::test::read_string_attribute(meta, "input_file_" + std::to_string(i) + "_" + field);
  };
  std::map<std::string, std::size_t> by_path;
  const auto files = static_cast<std::size_t>(cs::test::read_number_attribute(meta, "input_files"));
  for (std::size_t i = 0; i < files; ++i) CHECK(by_path.emplace(attribute(i, "path"), i).second);  // each once
  const auto index_of = [&](const fs::path& file) {
    const auto it = by_path.find(fs::weakly_canonical(file).string());
    REQUIRE(it != by_path.end());
    return it->second;
  };
  const std::size_t trace = index_of(fs::path(CLUSTERSIM_SOURCE_DIR) / "data" / "traces" / "AzureLLMInferenceTrace_conv.csv");
  CHECK(attribute(trace, "key") == "workload.trace.path");
  CHECK(cs::test::read_number_attribute(meta, "input_file_" + std::to_string(trace) + "_bytes") == 719188);
  CHECK(attribute(trace, "sha256") == "2f1e5b666d4e3055fdbba98598ce2ec307767b9064e03e2fa46676dbcc7d0bf8");
  const fs::path configs = fs::path(CLUSTERSIM_SOURCE_DIR) / "configs";
  for (const fs::path& read : {configs / "scenarios" / "launch_day.yaml", configs / "hardware" / "gpus.yaml"}) {
    const std::size_t i = index_of(read);
    CHECK(attribute(i, "key") == "config");
    CHECK(cs::test::read_number_attribute(meta, "input_file_" + std::to_string(i) + "_bytes") ==
          static_cast<double>(fs::file_size(read)));
    CHECK(attribute(i, "sha256").size() == 64);
  }
  H5Gclose(meta);
  H5Fclose(f);
}

TEST_CASE("the training trace draws each iteration as its phases, summing to the iteration") {
  TempDir dir;
  const fs::path file = dir.path() / "t.json";
  // The gradient reduction in front of the optimizer (not behind the backward pass, where
  // these 8B jobs hide it whole) so that every iteration has a DP phase to draw.
  const Outcome r = clustersim(dir, "run " + example("colocation_spike.yaml") +
                                        " -q -o x.h5 --set simulation.horizon=\"3 min\" --set training[0].overlap_dp=false"
                                        " --set training[1].overlap_dp=false --trace-events " + file.string());
  REQUIRE(r.exit_code == 0);
  const json t = trace_of(file);
  CHECK(process_names(t).at(2001) == "training jobs");
  std::map<std::pair<std::int64_t, double>, double> phase_sum;  // (job, iteration start) -> sum of phases
  std::map<std::pair<std::int64_t, double>, double> iteration;
  std::set<std::string> phases;
  double last_start = -1;
  for (const json& e : t["traceEvents"]) {
    if (e["ph"] != "X" || e["pid"] != 2001) continue;
    const std::int64_t job = e["tid"];
    if (e["name"] == "iteration") {
      last_start = e["ts"];
      iteration[{job, last_start}] = e["dur"];
    } else {
      phases.insert(e["name"]);
      phase_sum[{job, last_start}] += e["dur"].get<double>();
    }
  }
  REQUIRE(iteration.size() > 10);
  CHECK(phases.count("compute") == 1);
  CHECK(phases.count("dp") == 1);
  for (const auto& [key, dur] : iteration) CHECK(phase_sum[key] == Approx(dur).margin(0.01));
}

TEST_CASE("collectives are drawn on one track per collective job, named as in the scenario") {
  TempDir dir;
  const fs::path file = dir.path() / "t.json";
  const Outcome r = clustersim(dir, "run " + example("interconnect_nvswitch_ib.yaml") +
                                        " -q -o x.h5 --set simulation.horizon=\"1 s\" --trace-events " + file.string());
  REQUIRE(r.exit_code == 0);
  const json t = trace_of(file);
  std::set<std::string> tracks;
  int slices = 0;
  for (const json& e : t["traceEvents"]) {
    if (e["pid"] != 3001) continue;
    if (e["ph"] == "M" && e["name"] == "thread_name") tracks.insert(e["args"]["name"].get<std::string>());
    if (e["ph"] == "X") {
      ++slices;
      CHECK(e["args"]["bytes"].get<double>() > 0);
    }
  }
  CHECK(tracks.size() >= 1);
  CHECK(slices > 0);
}

TEST_CASE("run --json prints the summary once as JSON and --summary-csv holds the same values") {
  TempDir dir;
  const std::string ok = dir.write("ok.yaml", cs::test::kValidScenario).string();
  const fs::path csv = dir.path() / "s.csv";
  const Outcome r = clustersim(dir, "run " + ok + " -o x.h5 --json --summary-csv " + csv.string());
  REQUIRE(r.exit_code == 0);
  const json j = json::parse(r.out);
  CHECK(j["scenario"] == "t");
  CHECK(j["seed"] == 3);
  const json& s = j["summary"];
  CHECK(s["simulated_s"] == 600.0);
  CHECK(s["events"] == j["events"]);
  std::istringstream lines(cs::test::slurp(csv));
  std::string line;
  std::getline(lines, line);
  CHECK(line == "name,value");
  std::size_t rows = 0;
  while (std::getline(lines, line)) {
    ++rows;
    const std::string name = line.substr(0, line.find(','));
    CHECK(s.contains(name));
    if (s[name].is_number()) CHECK(std::stod(line.substr(line.find(',') + 1)) == s[name].get<double>());
  }
  CHECK(rows == s.size());
  // The text summary lists each name once.
  const Outcome text = clustersim(dir, "run " + ok + " -o x.h5");
  for (const auto& [name, value] : s.items()) {
    const std::string needle = "  " + name + " ";
    const auto first = text.out.find(needle);
    CHECK(first != std::string::npos);
    CHECK(text.out.find(needle, first + 1) == std::string::npos);
  }
}

TEST_CASE("code columns are HDF5 enums that name their codes, and /collectives names each job") {
  TempDir dir;
  const fs::path h5 = dir.path() / "n.h5";
  REQUIRE(clustersim(dir, "run " + example("interconnect_nvswitch_ib.yaml") + " -q --set simulation.horizon=\"1 s\" -o " +
                              h5.string())
              .exit_code == 0);
  const hid_t f = H5Fopen(h5.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  CHECK(cs::test::enum_name(f, "/collectives/op", 3) == "all_to_all");
  CHECK(cs::test::enum_name(f, "/collectives/algorithm", 1) == "ring");
  CHECK(H5Lexists(f, "/collectives/job_name", H5P_DEFAULT) > 0);
  H5Fclose(f);
}

TEST_CASE("collective sizes: a bare G is 2^30 bytes, GB is 10^9 and GiB 2^30, as written") {
  TempDir dir;
  auto bytes_of = [&](const std::string& size) {
    const Outcome r = clustersim(dir, "collective --topology dgx_h100 --op all_reduce --min-bytes \"" + size +
                                          "\" --max-bytes \"" + size + "\" --json");
    REQUIRE(r.exit_code == 0);
    return json::parse(r.out).at(0)["bytes"].get<double>();
  };
  CHECK(bytes_of("1G") == 1073741824.0);
  CHECK(bytes_of("1 GiB") == 1073741824.0);
  CHECK(bytes_of("1 GB") == 1e9);
  CHECK(bytes_of("64K") == 65536.0);
  // -o is an output file everywhere: collective's op has a long name only.
  CHECK(clustersim(dir, "collective -o all_reduce").exit_code == 2);
}

TEST_CASE("a short flag means the same long option in every command, and defaults read \"(default X)\"") {
  TempDir dir;
  std::map<std::string, std::string> meaning;  // "-o" -> "--output"
  for (const char* command : {"run", "validate", "estimate", "collective", "catalog"}) {
    const Outcome help = clustersim(dir, std::string(command) + " --help");
    REQUIRE(help.exit_code == 0);
    CHECK(help.out.find("(default: ") == std::string::npos);
    CHECK(help.out.find("(=") == std::string::npos);  // Program_options' own default display
    std::istringstream lines(help.out);
    std::string line;
    while (std::getline(lines, line)) {
      // Program_options writes "  -o [ --output ] arg  ...".
      const auto dash = line.find("  -");
      const auto open = line.find(" [ --");
      if (dash != 0 || open == std::string::npos) continue;
      const std::string short_flag = line.substr(2, 2);
      const std::string long_flag = line.substr(open + 3, line.find(' ', open + 3) - open - 3);
      const auto [it, fresh] = meaning.emplace(short_flag, long_flag);
      INFO(command << ": " << short_flag);
      CHECK(it->second == long_flag);
    }
  }
  CHECK(meaning.at("-o") == "--output");
  CHECK(meaning.at("-h") == "--help");
}

TEST_CASE("two serving pools borrow GPUs from one training cluster, and both serve") {
  TempDir dir;
  const std::string file = (fs::path(CLUSTERSIM_SOURCE_DIR) / "tests" / "data" / "colocation_two_pools.yaml").string();
  REQUIRE(clustersim(dir, "validate --build " + file).exit_code == 0);
  const Outcome r = clustersim(dir, "run " + file + " -o x.h5 --json");
  REQUIRE(r.exit_code == 0);
  const json s = json::parse(r.out)["summary"];
  // One request a second for a minute, shared 1:1: each pool's replica, on its loan, serves.
  for (const std::string pool : {"a", "b"}) {
    INFO(pool);
    REQUIRE(s.contains(pool + ".requests_completed"));
    CHECK(s[pool + ".requests_completed"].get<double>() > 10);
  }
}
