#pragma once
// A table stored as an HDF5 group with one extendible 1-D dataset per column (chunked,
// shuffled, deflated), which h5py and pandas read without our code:
//   pandas.DataFrame({k: f["/requests"][k][:] for k in f["/requests"]})
// Rows are buffered and appended a chunk at a time, so memory stays bounded however long
// the run. Each dataset carries a `units` attribute.
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/io/h5_handle.hpp"

namespace cs {

enum class ColumnType { kFloat64, kInt64 };

struct ColumnSpec {
  std::string name;
  std::string units;  // "s", "bytes", "1" for counts and fractions, "USD", ...
  ColumnType type = ColumnType::kFloat64;
  std::string description;
};

class ColumnarWriter {
 public:
  static constexpr std::size_t kChunkRows = 4096;

  ColumnarWriter(hid_t parent, const std::string& group, std::vector<ColumnSpec> columns);
  ColumnarWriter(const ColumnarWriter&) = delete;
  ColumnarWriter& operator=(const ColumnarWriter&) = delete;

  const std::vector<ColumnSpec>& columns() const { return columns_; }
  // One value per column in declaration order; int64 columns take whole numbers (exact up to 2^53).
  void append(const std::vector<double>& row);
  void flush();
  std::uint64_t rows() const { return rows_written_ + buffered_; }

 private:
  std::vector<ColumnSpec> columns_;
  H5Handle group_;
  std::vector<H5Handle> datasets_;
  std::vector<std::vector<double>> buffers_;
  std::size_t buffered_ = 0;
  std::uint64_t rows_written_ = 0;
  std::string group_name_;
};

}  // namespace cs
