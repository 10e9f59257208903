#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "clustersim_process.hpp"

namespace fs = std::filesystem;
using cs::test::clustersim;
using cs::test::Outcome;
using cs::test::TempDir;

namespace {

std::string broken_scenario() {
  std::string text = cs::test::kValidScenario;
  text.replace(text.find("  servers: 8"), 12, "  sevrers: 8");
  return text;
}

}  // namespace

TEST_CASE("run on a scenario with a misspelled key exits 2, names line and key, and writes nothing") {
  TempDir dir;
  const auto bad = dir.write("bad.yaml", broken_scenario());
  const auto h5 = dir.path() / "bad.h5";
  const Outcome r = clustersim(dir, "run " + bad.string() + " -o " + h5.string());
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("bad.yaml:13:3: queueing.sevrers: unknown key 'sevrers'; did you mean 'servers'?"));
  CHECK_FALSE(fs::exists(h5));
  CHECK_FALSE(fs::exists(h5.string() + ".partial"));
}

TEST_CASE("validate exits 2 on the same file and 0 on a good one") {
  TempDir dir;
  CHECK(clustersim(dir, "validate " + dir.write("bad.yaml", broken_scenario()).string()).exit_code == 2);
  const Outcome ok = clustersim(dir, "validate " + dir.write("ok.yaml", cs::test::kValidScenario).string());
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::Contains("t: valid"));
}

TEST_CASE("run writes the HDF5 file and prints the summary, and --quiet prints nothing") {
  TempDir dir;
  const auto ok = dir.write("ok.yaml", cs::test::kValidScenario);
  const auto h5 = dir.path() / "sub" / "ok.h5";
  const Outcome r = clustersim(dir, "run " + ok.string() + " -o " + h5.string() + " --seed 5");
  CHECK(r.exit_code == 0);
  CHECK(fs::exists(h5));
  CHECK_THAT(r.out, Catch::Contains("wait_p99_s"));
  CHECK(r.err.empty());  // no progress line when stderr is not a terminal
  const Outcome q = clustersim(dir, "run " + ok.string() + " -o " + h5.string() + " --quiet");
  CHECK(q.exit_code == 0);
  CHECK(q.out.empty());
}

TEST_CASE("usage errors exit 2 with a pointer to --help") {
  TempDir dir;
  const Outcome none = clustersim(dir, "run");
  CHECK(none.exit_code == 2);
  CHECK_THAT(none.err, Catch::Contains("missing the scenario file"));
  const Outcome flag = clustersim(dir, "run x.yaml --bogus");
  CHECK(flag.exit_code == 2);
  CHECK_THAT(flag.err, Catch::Contains("clustersim run --help"));
  const Outcome cmd = clustersim(dir, "rnu");
  CHECK(cmd.exit_code == 2);
  CHECK_THAT(cmd.err, Catch::Contains("did you mean 'run'?"));
  const Outcome missing = clustersim(dir, "run /nonexistent/file.yaml");
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("/nonexistent/file.yaml: cannot open the file"));
}

TEST_CASE("help and version flags answer with exit 0") {
  TempDir dir;
  const Outcome help = clustersim(dir, "--help");
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("validate"));
  const Outcome run_help = clustersim(dir, "run --help");
  CHECK(run_help.exit_code == 0);
  CHECK_THAT(run_help.out, Catch::Contains("--set"));
  const Outcome version = clustersim(dir, "--version");
  CHECK(version.exit_code == 0);
  CHECK_THAT(version.out, Catch::StartsWith("clustersim "));
}
