#include <catch2/catch.hpp>

#include <filesystem>
#include <random>

#include <hdf5.h>

#include "h5_read.hpp"
#include "sim/io/columnar_writer.hpp"

using namespace cs;
namespace fs = std::filesystem;

TEST_CASE("a text column stores fixed-length nul-padded strings and counts the values it cuts") {
  std::random_device rd;
  const fs::path path = fs::temp_directory_path() / ("text-" + std::to_string(rd()) + ".h5");
  const std::size_t rows = ColumnarWriter::kChunkRows + 3;  // one full chunk and a partial one
  {
    const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ColumnarWriter table(file, "jobs",
                         {{"id", "1", ColumnType::kInt64, ""},
                          {"name", "", ColumnType::kString, "job name", 8},
                          {"gpus", "1", ColumnType::kFloat64, ""}});
    for (std::size_t i = 0; i < rows; ++i) {
      const std::string name = i == 1   ? "a-very-long-name"
                               : i == 2 ? "abcdefg\xc3\xa9"
                                        : "job" + std::to_string(i % 10);
      table.append({static_cast<double>(i), 8.0}, {name});
    }
    CHECK_THROWS_AS(table.append({1.0, 2.0}), std::logic_error);  // the text is missing
    table.flush();
    // "a-very-long-name" is cut at 8 bytes; "abcdefg" + e-acute (2 bytes) is 9 bytes: a cut at
    // 8 would split the e-acute, so it keeps the 7 ASCII bytes.
    CHECK(table.truncated_values(1) == 2);
    H5Fclose(file);
  }
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  std::size_t size = 0;
  const auto names = test::read_text_column(file, "/jobs/name", &size);
  CHECK(size == 8);
  REQUIRE(names.size() == rows);
  CHECK(names[0] == "job0");
  CHECK(names[1] == "a-very-l");
  CHECK(names[2] == "abcdefg");
  CHECK(names[rows - 1] == "job" + std::to_string((rows - 1) % 10));
  const hid_t ds = H5Dopen2(file, "/jobs/name", H5P_DEFAULT);
  CHECK(test::read_number_attribute(ds, "truncated_values") == 2.0);
  H5Dclose(ds);
  CHECK(test::read_column(file, "/jobs/gpus").at(rows - 1) == 8.0);
  H5Fclose(file);
  fs::remove(path);
}
