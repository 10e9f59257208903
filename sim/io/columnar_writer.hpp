#pragma once
// A table stored as an HDF5 group with one extendible 1-D dataset per column (chunked,
// shuffled, deflated), which h5py and pandas read without our code:
//   pandas.DataFrame({k: f["/requests"][k][:] for k in f["/requests"]})
// Rows are buffered and appended a chunk at a time, so memory stays bounded however long
// the run. Each dataset carries a `units` attribute.
//
// Text columns (kString) are fixed-length HDF5 strings (H5T_C_S1, `string_bytes` bytes,
// nul-padded; h5py reads them as bytes: `.astype(str)` or `.asstr()`): a fixed size keeps the
// column chunked and deflated like the others. A longer value is cut to `string_bytes` bytes
// (never inside a UTF-8 character) and the column's `truncated_values` attribute counts the
// values cut so far.
//
// Code columns (status, op, algorithm) are HDF5 enums: the file says what each number means.
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/io/h5_handle.hpp"

namespace cs {

enum class ColumnType { kFloat64, kInt64, kString };

struct ColumnSpec {
  std::string name;
  std::string units;  // "s", "bytes", "1" for counts and fractions, "USD", ...
  ColumnType type = ColumnType::kFloat64;
  std::string description;
  std::size_t string_bytes = 64;  // kString only
  // kInt64 only: names of the codes. The column is then an HDF5 enum of int64 (h5py:
  // h5py.check_enum_dtype(ds.dtype) gives {name: code}) and carries a `labels` attribute
  // "0=completed, 1=rejected, ..." for readers that see only the numbers.
  std::vector<std::pair<std::int64_t, std::string>> labels{};
};

class ColumnarWriter {
 public:
  static constexpr std::size_t kChunkRows = 4096;

  ColumnarWriter(hid_t parent, const std::string& group, std::vector<ColumnSpec> columns);
  ColumnarWriter(const ColumnarWriter&) = delete;
  ColumnarWriter& operator=(const ColumnarWriter&) = delete;

  const std::vector<ColumnSpec>& columns() const { return columns_; }
  // One value per numeric column in declaration order; int64 columns take whole numbers (exact
  // up to 2^53); `texts`: one per kString column, in declaration order.
  void append(const std::vector<double>& row, const std::vector<std::string_view>& texts = {});
  std::uint64_t truncated_values(std::size_t column) const { return truncated_.at(column); }
  void flush();
  std::uint64_t rows() const { return rows_written_ + buffered_; }

 private:
  static H5Handle file_type(const ColumnSpec& c);

  std::vector<ColumnSpec> columns_;
  H5Handle group_;
  std::vector<H5Handle> datasets_;
  std::vector<std::vector<double>> buffers_;  // numeric columns
  std::vector<std::string> text_buffers_;     // kString columns: buffered rows x string_bytes
  std::vector<std::uint64_t> truncated_;      // per column
  std::size_t numeric_columns_ = 0;
  std::size_t text_columns_ = 0;
  std::size_t buffered_ = 0;
  std::uint64_t rows_written_ = 0;
  std::string group_name_;
};

}  // namespace cs
