#pragma once
// Reading back what clustersim wrote, with the plain HDF5 C API (as any user would).
#include <hdf5.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace cs::test {

inline std::vector<double> read_column(hid_t file, const std::string& path) {
  const hid_t ds = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  if (ds < 0) throw std::runtime_error("no dataset " + path);
  const hid_t space = H5Dget_space(ds);
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space, &n, nullptr);
  std::vector<double> out(n);
  if (n > 0) H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data());
  H5Sclose(space);
  H5Dclose(ds);
  return out;
}

// A fixed-length text column, nul padding stripped; `size_out`: the strings' byte size.
inline std::vector<std::string> read_text_column(hid_t file, const std::string& path, std::size_t* size_out = nullptr) {
  const hid_t ds = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  if (ds < 0) throw std::runtime_error("no dataset " + path);
  const hid_t type = H5Dget_type(ds);
  const std::size_t size = H5Tget_size(type);
  if (size_out) *size_out = size;
  const hid_t space = H5Dget_space(ds);
  hsize_t n = 0;
  H5Sget_simple_extent_dims(space, &n, nullptr);
  std::string raw(n * size, '\0');
  if (n > 0) H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw.data());
  std::vector<std::string> out;
  for (hsize_t i = 0; i < n; ++i) {
    std::string v = raw.substr(i * size, size);
    v.erase(v.find_last_not_of('\0') + 1);
    out.push_back(v);
  }
  H5Sclose(space);
  H5Tclose(type);
  H5Dclose(ds);
  return out;
}

inline std::string read_string_attribute(hid_t object, const std::string& name) {
  const hid_t attr = H5Aopen(object, name.c_str(), H5P_DEFAULT);
  if (attr < 0) throw std::runtime_error("no attribute " + name);
  const hid_t type = H5Aget_type(attr);
  char* text = nullptr;
  H5Aread(attr, type, &text);
  std::string out = text ? text : "";
  H5free_memory(text);
  H5Tclose(type);
  H5Aclose(attr);
  return out;
}

inline double read_number_attribute(hid_t object, const std::string& name) {
  const hid_t attr = H5Aopen(object, name.c_str(), H5P_DEFAULT);
  if (attr < 0) throw std::runtime_error("no attribute " + name);
  double v = 0;
  H5Aread(attr, H5T_NATIVE_DOUBLE, &v);
  H5Aclose(attr);
  return v;
}

// Names of the members of a group, in HDF5's (alphabetical) order.
inline std::vector<std::string> member_names(hid_t file, const std::string& group) {
  std::vector<std::string> names;
  const hid_t g = H5Gopen2(file, group.c_str(), H5P_DEFAULT);
  if (g < 0) throw std::runtime_error("no group " + group);
  H5G_info_t info;
  H5Gget_info(g, &info);
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    char name[256];
    H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT);
    names.emplace_back(name);
  }
  H5Gclose(g);
  return names;
}

// The name an enum column gives `code`; empty when the column is not an enum or has no such code.
inline std::string enum_name(hid_t file, const std::string& path, std::int64_t code) {
  const hid_t ds = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  if (ds < 0) throw std::runtime_error("no dataset " + path);
  const hid_t type = H5Dget_type(ds);
  char name[64] = {};
  const bool named = H5Tget_class(type) == H5T_ENUM && H5Tenum_nameof(type, &code, name, sizeof name) >= 0;
  H5Tclose(type);
  H5Dclose(ds);
  return named ? name : "";
}

// A run's output file open for reading, with its /summary group, closed when it goes.
class RunOutput {
 public:
  explicit RunOutput(const std::filesystem::path& file)
      : file_(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT)), summary_(H5Gopen2(file_, "/summary", H5P_DEFAULT)) {
    if (file_ < 0 || summary_ < 0) throw std::runtime_error("no run output with a /summary at " + file.string());
  }
  ~RunOutput() {
    H5Gclose(summary_);
    H5Fclose(file_);
  }
  RunOutput(const RunOutput&) = delete;
  RunOutput& operator=(const RunOutput&) = delete;
  double summary(const std::string& name) const { return read_number_attribute(summary_, name); }
  std::vector<double> column(const std::string& path) const { return read_column(file_, path); }
  std::vector<std::string> text(const std::string& path) const { return read_text_column(file_, path); }
  hid_t file() const { return file_; }

 private:
  hid_t file_;
  hid_t summary_;
};

// Whether a /requests id column names every request 0 .. n-1 exactly once: one row each.
inline bool one_row_per_request(std::vector<double> ids) {
  std::sort(ids.begin(), ids.end());
  for (std::size_t i = 0; i < ids.size(); ++i)
    if (ids[i] != static_cast<double>(i)) return false;
  return true;
}

}  // namespace cs::test
