#include "sim/io/run_file.hpp"

#include <cstdio>
#include <stdexcept>
#include <system_error>

#include "sim/io/h5_attributes.hpp"

namespace cs {

namespace fs = std::filesystem;

RunFile::RunFile(fs::path final_path) : final_path_(std::move(final_path)) {
  // Errors surface as exceptions with our message; HDF5's own stack dump would only confuse.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (final_path_.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(final_path_.parent_path(), ec);
    if (ec)
      throw std::runtime_error("cannot create directory " + final_path_.parent_path().string() + ": " + ec.message());
  }
  const std::string partial = partial_path().string();
  file_ = H5Handle(H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
  if (file_.get() < 0) throw std::runtime_error("cannot create output file " + partial);
  meta_ = H5Handle(h5_check(H5Gcreate2(file_.get(), "meta", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "group /meta"),
                   H5Gclose);
  summary_ = H5Handle(
      h5_check(H5Gcreate2(file_.get(), "summary", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "group /summary"), H5Gclose);
}

RunFile::~RunFile() {
  if (committed_) return;
  tables_.clear();
  timeline_.reset();
  meta_.close();
  summary_.close();
  file_.close();
  std::error_code ignored;
  fs::remove(partial_path(), ignored);
}

fs::path RunFile::partial_path() const {
  return fs::path(final_path_.string() + ".partial");
}

void RunFile::meta(const std::string& name, const std::string& value) {
  write_attribute(meta_.get(), name, value);
}
void RunFile::meta(const std::string& name, std::int64_t value) {
  write_attribute(meta_.get(), name, value);
}
void RunFile::summary(const std::string& name, double value) {
  write_attribute(summary_.get(), name, value);
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  summary_entries_.emplace_back(name, text);
}
void RunFile::summary(const std::string& name, std::int64_t value) {
  write_attribute(summary_.get(), name, value);
  summary_entries_.emplace_back(name, std::to_string(value));
}
void RunFile::summary(const std::string& name, const std::string& value) {
  write_attribute(summary_.get(), name, value);
  summary_entries_.emplace_back(name, value);
}

ColumnarWriter& RunFile::timeline(const std::vector<ColumnSpec>& series) {
  if (timeline_) throw std::logic_error("the timeline group is created once per run");
  std::vector<ColumnSpec> columns{{"time_s", "s", ColumnType::kFloat64, "sample time since the start of the run"}};
  columns.insert(columns.end(), series.begin(), series.end());
  timeline_ = std::make_unique<ColumnarWriter>(file_.get(), "timeline", std::move(columns));
  return *timeline_;
}

ColumnarWriter& RunFile::table(const std::string& name, const std::vector<ColumnSpec>& columns) {
  if (tables_.count(name)) throw std::logic_error("table /" + name + " already exists");
  auto& slot = tables_[name];
  slot = std::make_unique<ColumnarWriter>(file_.get(), name, columns);
  return *slot;
}

void RunFile::commit() {
  if (timeline_) timeline_->flush();
  for (auto& [name, t] : tables_) t->flush();
  tables_.clear();
  timeline_.reset();
  meta_.close();
  summary_.close();
  h5_check(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), "cannot flush " + partial_path().string());
  file_.close();
  std::error_code ec;
  fs::rename(partial_path(), final_path_, ec);
  if (ec)
    throw std::runtime_error("cannot rename " + partial_path().string() + " to " + final_path_.string() + ": " +
                             ec.message());
  committed_ = true;
}

}  // namespace cs
