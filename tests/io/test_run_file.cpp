#include <catch2/catch.hpp>

#include <filesystem>
#include <random>

#include "h5_read.hpp"
#include "sim/io/run_file.hpp"

using namespace cs;
namespace fs = std::filesystem;

namespace {
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
