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
    const H5Handle type = file_type(c);
    datasets_.emplace_back(h5_check(H5Dcreate2(group_.get(), c.name.c_str(), type.get(), space.get(), H5P_DEFAULT,
                                               props.get(), H5P_DEFAULT),
                                    "cannot create dataset " + group + "/" + c.name),
                           H5Dclose);
    write_attribute(datasets_.back().get(), "units", c.units);
    if (!c.description.empty()) write_attribute(datasets_.back().get(), "description", c.description);
    if (!c.labels.empty()) {
      std::string labels;
      for (const auto& [code, name] : c.labels) labels += (labels.empty() ? "" : ", ") + std::to_string(code) + "=" + name;
      write_attribute(datasets_.back().get(), "labels", labels);
    }
  }
  for (const ColumnSpec& c : columns_) (c.type == ColumnType::kString ? text_columns_ : numeric_columns_) += 1;
  buffers_.assign(columns_.size(), {});
  text_buffers_.assign(columns_.size(), {});
  truncated_.assign(columns_.size(), 0);
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].type == ColumnType::kString)
      text_buffers_[i].reserve(kChunkRows * columns_[i].string_bytes);
    else
      buffers_[i].reserve(kChunkRows);
  }
}

H5Handle ColumnarWriter::file_type(const ColumnSpec& c) {
  if (c.type == ColumnType::kInt64 && !c.labels.empty()) {
    H5Handle type(h5_check(H5Tenum_create(H5T_NATIVE_INT64), "enum type of " + c.name), H5Tclose);
    for (const auto& [code, name] : c.labels)
      h5_check(H5Tenum_insert(type.get(), name.c_str(), &code), "enum value " + name + " of " + c.name);
    return type;
  }
  if (c.type != ColumnType::kString)
    return H5Handle(H5Tcopy(c.type == ColumnType::kInt64 ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE), H5Tclose);
  if (c.string_bytes == 0) throw std::invalid_argument("text column " + c.name + " of 0 bytes");
  H5Handle type(h5_check(H5Tcopy(H5T_C_S1), "string type"), H5Tclose);
  h5_check(H5Tset_size(type.get(), c.string_bytes), "string size");
  h5_check(H5Tset_strpad(type.get(), H5T_STR_NULLPAD), "string padding");
  h5_check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "string character set");
  return type;
}

void ColumnarWriter::append(const std::vector<double>& row, const std::vector<std::string_view>& texts) {
  if (row.size() != numeric_columns_ || texts.size() != text_columns_)
    throw std::logic_error(group_name_ + ": row of " + std::to_string(row.size()) + " numbers and " +
                           std::to_string(texts.size()) + " texts for " + std::to_string(numeric_columns_) +
                           " numeric and " + std::to_string(text_columns_) + " text columns");
  std::size_t number = 0, text = 0;
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].type != ColumnType::kString) {
      buffers_[i].push_back(row[number++]);
      continue;
    }
    const std::size_t size = columns_[i].string_bytes;
    std::string_view value = texts[text++];
    if (value.size() > size) {
      ++truncated_[i];
      std::size_t cut = size;
      // Back off continuation bytes (10xxxxxx) so that no UTF-8 character is split.
      while (cut > 0 && (static_cast<unsigned char>(value[cut]) & 0xC0) == 0x80) --cut;
      value = value.substr(0, cut);
    }
    text_buffers_[i].append(value);
    text_buffers_[i].append(size - value.size(), '\0');
  }
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
    if (columns_[i].type == ColumnType::kString) {
      const H5Handle type = file_type(columns_[i]);
      h5_check(H5Dwrite(ds, type.get(), mem_space.get(), file_space.get(), H5P_DEFAULT, text_buffers_[i].data()), what);
      text_buffers_[i].clear();
      if (truncated_[i] > 0) write_attribute(ds, "truncated_values", static_cast<std::int64_t>(truncated_[i]));
      continue;
    } else if (columns_[i].type == ColumnType::kInt64) {
      as_int.assign(buffers_[i].begin(), buffers_[i].end());
      // An enum column is written in its own type: HDF5 converts enums by name only.
      const H5Handle type = file_type(columns_[i]);
      h5_check(H5Dwrite(ds, type.get(), mem_space.get(), file_space.get(), H5P_DEFAULT, as_int.data()), what);
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
