#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <variant>

#include "h5_read.hpp"
#include "sim/io/file_digest.hpp"
#include "sim/io/run_file.hpp"

using namespace cs;
namespace fs = std::filesystem;

namespace {
// The keys these tests write.
constexpr OutputKey kTestSummary[] = {{"wait_p99_s", "s", "a percentile"},
                                      {"jobs", "1", "a count"},
                                      {"x", "1", "a figure"},
                                      {"<pool>.cost_usd", "USD", "a pool's cost"}};
constexpr OutputKey kTestSeries[] = {{"queue_depth", "1", "a gauge"}};
constexpr OutputKeyTable kTestKeys{"test", kTestSummary, kTestSeries};

fs::path temp_h5(const std::string& stem) {
  std::random_device rd;
  return fs::temp_directory_path() / (stem + "-" + std::to_string(rd()) + ".h5");
}
}  // namespace

TEST_CASE("a run file round-trips meta, timeline, a table spanning several chunks, and summary") {
  const fs::path path = temp_h5("roundtrip");
  const std::size_t rows = 3 * ColumnarWriter::kChunkRows + 17;  // three full chunks and a partial one
  {
    RunFile out(path);
    out.declare_summary(kTestKeys);
    out.declare_series(kTestKeys);
    out.meta("scenario_yaml", std::string("name: x\nseed: 1\n"));
    out.meta("seed", std::int64_t{42});
    auto& tl = out.timeline({{"queue_depth", "1", ColumnType::kFloat64, ""}});
    auto& table =
        out.table("requests", {{"id", "1", ColumnType::kInt64, ""}, {"wait_s", "s", ColumnType::kFloat64, ""}});
    for (std::size_t i = 0; i < rows; ++i) {
      table.append({static_cast<double>(i), 0.5 * static_cast<double>(i)});
      if (i % 100 == 0) tl.append({static_cast<double>(i) * 10, static_cast<double>(i % 7)});
    }
    out.summary("wait_p99_s", 1.25);
    out.summary("jobs", std::int64_t{12345});
    CHECK(fs::exists(out.partial_path()));
    CHECK_FALSE(fs::exists(path));  // not under its name until committed
    out.commit();
  }
  REQUIRE(fs::exists(path));
  CHECK_FALSE(fs::exists(path.string() + ".partial"));

  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  const hid_t meta = H5Gopen2(f, "meta", H5P_DEFAULT);
  CHECK(test::read_string_attribute(meta, "scenario_yaml") == "name: x\nseed: 1\n");
  CHECK(test::read_number_attribute(meta, "seed") == 42);
  H5Gclose(meta);

  const auto ids = test::read_column(f, "/requests/id");
  const auto waits = test::read_column(f, "/requests/wait_s");
  REQUIRE(ids.size() == rows);
  REQUIRE(waits.size() == rows);
  for (std::size_t i = 0; i < rows; ++i) {
    REQUIRE(ids[i] == static_cast<double>(i));
    REQUIRE(waits[i] == 0.5 * static_cast<double>(i));
  }
  const auto t = test::read_column(f, "/timeline/time_s");
  const auto q = test::read_column(f, "/timeline/queue_depth");
  REQUIRE(t.size() == (rows + 99) / 100);
  CHECK(t[3] == 3000);
  CHECK(q[3] == 300 % 7);
  CHECK(test::member_names(f, "timeline") == std::vector<std::string>{"queue_depth", "time_s"});

  const hid_t ds = H5Dopen2(f, "/requests/wait_s", H5P_DEFAULT);
  CHECK(test::read_string_attribute(ds, "units") == "s");
  H5Dclose(ds);
  const hid_t summary = H5Gopen2(f, "summary", H5P_DEFAULT);
  CHECK(test::read_number_attribute(summary, "wait_p99_s") == 1.25);
  CHECK(test::read_number_attribute(summary, "jobs") == 12345);
  H5Gclose(summary);
  H5Fclose(f);
  fs::remove(path);
}

TEST_CASE("a run file that is never committed leaves no file at all") {
  const fs::path path = temp_h5("abandoned");
  {
    RunFile out(path);
    auto& table = out.table("requests", {{"id", "1", ColumnType::kInt64, ""}});
    for (int i = 0; i < 10000; ++i) table.append({static_cast<double>(i)});
  }
  CHECK_FALSE(fs::exists(path));
  CHECK_FALSE(fs::exists(path.string() + ".partial"));
}

TEST_CASE("a row with the wrong number of values is refused") {
  const fs::path path = temp_h5("badrow");
  RunFile out(path);
  auto& table = out.table("t", {{"a", "1", ColumnType::kFloat64, ""}, {"b", "1", ColumnType::kFloat64, ""}});
  CHECK_THROWS_AS(table.append({1.0}), std::logic_error);
}

TEST_CASE("a code column is an HDF5 enum naming its codes, with a labels attribute") {
  const fs::path path = temp_h5("enum");
  {
    RunFile out(path);
    auto& t = out.table("requests", {{"status", "1", ColumnType::kInt64, "", 64, {{0, "completed"}, {3, "unfinished"}}}});
    t.append({3});
    t.append({0});
    out.commit();
  }
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  CHECK(test::read_column(f, "/requests/status") == std::vector<double>{3, 0});
  CHECK(test::enum_name(f, "/requests/status", 3) == "unfinished");
  CHECK(test::enum_name(f, "/requests/status", 0) == "completed");
  const hid_t ds = H5Dopen2(f, "/requests/status", H5P_DEFAULT);
  CHECK(test::read_string_attribute(ds, "labels") == "0=completed, 3=unfinished");
  H5Dclose(ds);
  H5Fclose(f);
  fs::remove(path);
}

TEST_CASE("a summary key no table declares, or written twice, is refused") {
  const fs::path path = temp_h5("twice");
  RunFile out(path);
  CHECK_THROWS_WITH(out.summary("jobs", std::int64_t{1}), Catch::Contains("'jobs' is declared by no listener"));
  out.declare_summary(kTestKeys);
  out.declare_summary(kTestKeys);  // the same table again: nothing changes
  out.summary("jobs", std::int64_t{1});
  CHECK_THROWS_WITH(out.summary("jobs", std::int64_t{7}), Catch::Contains("'jobs' is written twice"));
  // A placeholder stands for the name a scenario chooses; the rest of the name must match.
  out.summary("h100.cost_usd", 2.5);
  CHECK_THROWS_WITH(out.summary("h100.cost_usd_per_h", 2.5), Catch::Contains("declared by no listener"));
  REQUIRE(out.summary_entries().size() == 2);
  CHECK(out.summary_entries()[0] == std::pair<std::string, std::string>{"jobs", "1"});
}

TEST_CASE("a key two listeners declare, or a series undeclared or in another unit, is refused") {
  const fs::path path = temp_h5("clash");
  RunFile out(path);
  out.declare_summary(kTestKeys);
  static constexpr OutputKey kOther[] = {{"jobs", "1", "another listener's count"}};
  static constexpr OutputKeyTable kOtherKeys{"other", kOther, kOther};
  CHECK_THROWS_WITH(out.declare_summary(kOtherKeys), Catch::Contains("'jobs' is declared by both other and test"));
  // Under a prefix the names differ and both stand.
  CHECK_NOTHROW(out.declare_summary(kOtherKeys, "h100."));
  CHECK_THROWS_WITH(out.timeline({{"queue_depth", "1", ColumnType::kFloat64, ""}}),
                    Catch::Contains("'queue_depth' is declared by no listener"));
  out.declare_series(kTestKeys);
  CHECK_THROWS_WITH(out.timeline({{"queue_depth", "s", ColumnType::kFloat64, ""}}),
                    Catch::Contains("is in s, declared in 1"));
  CHECK_THROWS_WITH(out.timeline({{"queue_depth", "1", ColumnType::kFloat64, ""},
                                  {"queue_depth", "1", ColumnType::kFloat64, ""}}),
                    Catch::Contains("added twice"));
}

TEST_CASE("a placeholder stands for any run of characters, none included") {
  CHECK(key_matches("<pool>.cost_usd", "h100.cost_usd"));
  CHECK(key_matches("training<i>_job", "training_job"));
  CHECK(key_matches("training<i>_job", "training12_job"));
  CHECK(key_matches("link_util_top<i>", "link_util_top3"));
  CHECK_FALSE(key_matches("training<i>_gpu", "training_gpus"));
  CHECK_FALSE(key_matches("cost_usd", "cost_usd_per_h"));
  CHECK_FALSE(key_matches("<pool>.cost_usd", "h100_cost_usd"));
}

TEST_CASE("each summary key's declared unit is written beside it in /summary_units") {
  const fs::path path = temp_h5("units");
  {
    RunFile out(path);
    out.declare_summary(kTestKeys);
    out.summary("wait_p99_s", 0.25);
    out.summary("a100.cost_usd", 12.0);
    out.commit();
  }
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  const hid_t units = H5Gopen2(f, "summary_units", H5P_DEFAULT);
  CHECK(test::read_string_attribute(units, "wait_p99_s") == "s");
  CHECK(test::read_string_attribute(units, "a100.cost_usd") == "USD");
  H5Gclose(units);
  H5Fclose(f);
  fs::remove(path);
}

TEST_CASE("an output path that is a directory or a device is refused, and a stale partial file is replaced") {
  CHECK_THROWS_WITH(check_output_path(fs::temp_directory_path()), Catch::Contains("is a directory"));
  CHECK_THROWS_WITH(check_output_path("/dev/null"), Catch::Contains("not a regular file"));
  CHECK_THROWS_WITH(check_output_path("out/"), Catch::Contains("names a directory"));
  const fs::path path = temp_h5("stale");
  std::ofstream(path.string() + ".partial") << "junk from a killed run";
  CHECK_NOTHROW(check_output_path(path));
  {
    RunFile out(path);
    out.declare_summary(kTestKeys);
    out.summary("x", 1.0);
    out.commit();
  }
  CHECK(fs::exists(path));
  CHECK_FALSE(fs::exists(path.string() + ".partial"));
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  CHECK(f >= 0);
  H5Fclose(f);
  fs::remove(path);
}

TEST_CASE("an input file's digest is its size and FIPS 180-4 SHA-256") {
  const fs::path path = temp_h5("digest");
  std::ofstream(path, std::ios::binary) << "abc";
  const FileDigest d = digest_file(path);
  CHECK(d.bytes == 3);
  // FIPS 180-4 example "abc" (NIST CSRC example values).
  CHECK(d.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  fs::remove(path);
  // The shipped trace: the hash its SOURCES.md gives.
  CHECK(digest_file(std::string(CLUSTERSIM_SOURCE_DIR) + "/data/traces/AzureLLMInferenceTrace_conv.csv").sha256 ==
        "2f1e5b666d4e3055fdbba98598ce2ec307767b9064e03e2fa46676dbcc7d0bf8");
}
