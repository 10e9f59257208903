#include "sim/io/run_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "sim/io/h5_attributes.hpp"

namespace cs {

namespace fs = std::filesystem;

void check_output_path(const fs::path& path) {
  if (path.empty()) throw std::invalid_argument("the output path is empty");
  const std::string text = path.string();
  if (text.back() == '/' || path.filename() == "." || path.filename() == "..")
    throw std::invalid_argument("the output path " + text + " names a directory, not a file");
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);  // follows a symlink
  if (!fs::exists(status) || fs::is_regular_file(status)) return;
  throw std::invalid_argument("the output path " + text + " exists and is " +
                              (fs::is_directory(status) ? "a directory" : "not a regular file (a device, FIFO or socket)") +
                              "; name a file");
}

void sync_to_disk(const fs::path& path, bool directory) {
  const int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (fd < 0) throw std::runtime_error("cannot open " + path.string() + " to sync it: " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  // A directory on a file system that cannot sync directories is not an error.
  if (rc != 0 && !(directory && (err == EINVAL || err == EBADF)))
    throw std::runtime_error("cannot sync " + path.string() + " to disk: " + std::strerror(err));
}

RunFile::RunFile(fs::path final_path) : final_path_(std::move(final_path)) {
  check_output_path(final_path_);
  // A file whose close failed (a full disk) stays in HDF5's table in a broken state, and the
  // library's own clean-up at exit would close it again and crash (HDF5 1.10, exit 139): every
  // file we open we close ourselves, so that clean-up is not needed. It must be asked for
  // before HDF5's first call, and RunFile is its first user in the executable.
  static const bool no_atexit = H5dont_atexit() >= 0;
  (void)no_atexit;
  // Errors surface as exceptions with our message; HDF5's own stack dump would only confuse.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (final_path_.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(final_path_.parent_path(), ec);
    if (ec)
      throw std::runtime_error("cannot create directory " + final_path_.parent_path().string() + ": " + ec.message());
  }
  const std::string partial = partial_path().string();
  // A partial file left by a killed run (or anything else under that name) is replaced.
  std::error_code stale;
  if (fs::is_directory(fs::symlink_status(partial_path(), stale)))
    throw std::runtime_error("cannot write " + partial + ": a directory has that name");
  fs::remove(partial_path(), stale);
  file_ = H5Handle(H5Fcreate(partial.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
  if (file_.get() < 0) throw std::runtime_error("cannot create output file " + partial);
  meta_ = H5Handle(h5_check(H5Gcreate2(file_.get(), "meta", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "group /meta"),
                   H5Gclose);
  summary_ = H5Handle(
      h5_check(H5Gcreate2(file_.get(), "summary", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "group /summary"), H5Gclose);
  summary_units_ = H5Handle(h5_check(H5Gcreate2(file_.get(), "summary_units", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                     "group /summary_units"),
                            H5Gclose);
}

RunFile::~RunFile() {
  if (committed_) return;
  tables_.clear();
  timeline_.reset();
  meta_.close();
  summary_.close();
  summary_units_.close();
  file_.close();
  std::error_code ignored;
  fs::remove(partial_path(), ignored);
}

fs::path RunFile::partial_path() const {
  return fs::path(final_path_.string() + ".partial");
}

namespace {

// Adds {table, prefix} to `declared` unless there already; `keys` picks the table's half.
template <class Declarations, class Keys>
void add_declaration(Declarations& declared, const OutputKeyTable& table, const std::string& prefix, Keys keys) {
  for (const auto& d : declared)
    if (d.table == &table && d.prefix == prefix) return;
  // A name two listeners declare would make the file's meaning depend on which wrote last.
  for (const OutputKey& k : keys(table))
    for (const auto& d : declared)
      for (const OutputKey& other : keys(*d.table))
        if (prefix + std::string(k.name) == d.prefix + std::string(other.name))
          throw std::logic_error("output key '" + prefix + std::string(k.name) + "' is declared by both " +
                                 std::string(table.listener) + " and " + std::string(d.table->listener));
  declared.push_back({&table, prefix});
}

}  // namespace

void RunFile::declare_summary(const OutputKeyTable& table, const std::string& prefix) {
  add_declaration(summary_keys_, table, prefix, [](const OutputKeyTable& t) { return t.summary; });
}

void RunFile::declare_series(const OutputKeyTable& table, const std::string& prefix) {
  add_declaration(series_keys_, table, prefix, [](const OutputKeyTable& t) { return t.series; });
}

void RunFile::meta(const std::string& name, const std::string& value) {
  write_attribute(meta_.get(), name, value);
}
void RunFile::meta(const std::string& name, std::int64_t value) {
  write_attribute(meta_.get(), name, value);
}
void RunFile::check_summary_key(const std::string& name) {
  const OutputKey* key = nullptr;
  for (const Declaration& d : summary_keys_)
    if ((key = find_key(d.table->summary, d.prefix, name))) break;
  if (!key) throw std::logic_error("summary key '" + name + "' is declared by no listener's key table");
  for (const auto& [written, text] : summary_entries_)
    if (written == name) throw std::logic_error("summary key '" + name + "' is written twice");
  write_attribute(summary_units_.get(), name, std::string(key->unit));
}

void RunFile::summary(const std::string& name, double value) {
  check_summary_key(name);
  write_attribute(summary_.get(), name, value);
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  record_summary(name, text, value);
}
void RunFile::summary(const std::string& name, std::int64_t value) {
  check_summary_key(name);
  write_attribute(summary_.get(), name, value);
  record_summary(name, std::to_string(value), value);
}
void RunFile::summary(const std::string& name, const std::string& value) {
  check_summary_key(name);
  write_attribute(summary_.get(), name, value);
  record_summary(name, value, value);
}

void RunFile::record_summary(const std::string& name, std::string text, SummaryValue value) {
  summary_entries_.emplace_back(name, std::move(text));
  summary_values_.emplace_back(name, std::move(value));
}

ColumnarWriter& RunFile::timeline(const std::vector<ColumnSpec>& series) {
  if (timeline_) throw std::logic_error("the timeline group is created once per run");
  for (std::size_t i = 0; i < series.size(); ++i) {
    const ColumnSpec& c = series[i];
    const OutputKey* key = nullptr;
    for (const Declaration& d : series_keys_)
      if ((key = find_key(d.table->series, d.prefix, c.name))) break;
    if (!key) throw std::logic_error("timeline series '" + c.name + "' is declared by no listener's key table");
    if (key->unit != c.units)
      throw std::logic_error("timeline series '" + c.name + "' is in " + c.units + ", declared in " +
                             std::string(key->unit));
    for (std::size_t j = 0; j < i; ++j)
      if (series[j].name == c.name) throw std::logic_error("timeline series '" + c.name + "' is added twice");
  }
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
  summary_units_.close();
  h5_check(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), "cannot flush " + partial_path().string());
  if (H5Fclose(file_.release()) < 0) throw std::runtime_error("HDF5: cannot close " + partial_path().string());
  sync_to_disk(partial_path(), false);
  std::error_code ec;
  fs::rename(partial_path(), final_path_, ec);
  if (ec)
    throw std::runtime_error("cannot rename " + partial_path().string() + " to " + final_path_.string() + ": " +
                             ec.message());
  committed_ = true;
  sync_to_disk(final_path_.has_parent_path() ? final_path_.parent_path() : fs::path("."), true);
}

}  // namespace cs
