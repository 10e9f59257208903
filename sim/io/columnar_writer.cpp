#include "sim/io/columnar_writer.hpp"

#include <stdexcept>

#include "sim/io/h5_attributes.hpp"

namespace cs {

ColumnarWriter::ColumnarWriter(hid_t parent, const std::string& group, std::vector<ColumnSpec> columns)
    : columns_(std::move(columns)), group_name_(group) {
  group_ = H5Handle(h5_check(H5Gcreate2(parent, group.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                             "cannot create group " + group),
                    H5Gclose);
  const hsize_t initial = 0, unlimited = H5S_UNLIMITED, chunk = kChunkRows;
  for (const ColumnSpec& c : columns_) {
    H5Handle space(h5_check(H5Screate_simple(1, &initial, &unlimited), "dataspace"), H5Sclose);
    H5Handle props(h5_check(H5Pcreate(H5P_DATASET_CREATE), "property list"), H5Pclose);
    h5_check(H5Pset_chunk(props.get(), 1, &chunk), "chunking of " + c.name);
    h5_check(H5Pset_shuffle(props.get()), "shuffle filter");
    h5_check(H5Pset_deflate(props.get(), 4), "deflate filter");
    // No modification times in the file: the same run must give the same bytes.
    h5_check(H5Pset_obj_track_times(props.get(), false), "time tracking");
    const hid_t type = c.type == ColumnType::kInt64 ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE;
    datasets_.emplace_back(
        h5_check(H5Dcreate2(group_.get(), c.name.c_str(), type, space.get(), H5P_DEFAULT, props.get(), H5P_DEFAULT),
                 "cannot create dataset " + group + "/" + c.name),
        H5Dclose);
    write_attribute(datasets_.back().get(), "units", c.units);
    if (!c.description.empty()) write_attribute(datasets_.back().get(), "description", c.description);
  }
  buffers_.assign(columns_.size(), {});
  for (auto& b : buffers_) b.reserve(kChunkRows);
}

void ColumnarWriter::append(const std::vector<double>& row) {
  if (row.size() != columns_.size())
    throw std::logic_error(group_name_ + ": row of " + std::to_string(row.size()) + " values for " +
                           std::to_string(columns_.size()) + " columns");
  for (std::size_t i = 0; i < row.size(); ++i) buffers_[i].push_back(row[i]);
  if (++buffered_ == kChunkRows) flush();
}

void ColumnarWriter::flush() {
  if (buffered_ == 0) return;
  const hsize_t start = rows_written_, count = buffered_, total = rows_written_ + buffered_;
  std::vector<std::int64_t> as_int;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    const hid_t ds = datasets_[i].get();
    const std::string what = "cannot append to " + group_name_ + "/" + columns_[i].name;
    h5_check(H5Dset_extent(ds, &total), what);
    H5Handle file_space(h5_check(H5Dget_space(ds), what), H5Sclose);
    h5_check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, &start, nullptr, &count, nullptr), what);
    H5Handle mem_space(h5_check(H5Screate_simple(1, &count, nullptr), what), H5Sclose);
    if (columns_[i].type == ColumnType::kInt64) {
      as_int.assign(buffers_[i].begin(), buffers_[i].end());
      h5_check(H5Dwrite(ds, H5T_NATIVE_INT64, mem_space.get(), file_space.get(), H5P_DEFAULT, as_int.data()), what);
    } else {
      h5_check(H5Dwrite(ds, H5T_NATIVE_DOUBLE, mem_space.get(), file_space.get(), H5P_DEFAULT, buffers_[i].data()),
               what);
    }
    buffers_[i].clear();
  }
  rows_written_ = total;
  buffered_ = 0;
}

}  // namespace cs
