#pragma once
// One HDF5 file per run, laid out as DESIGN.md section 5 says:
//   /meta       attributes: tool version, scenario text, seed, start time, units
//   /timeline   time_s plus one dataset per series, all on the common sample clock
//   /<table>    one group per per-item table (/requests, /jobs), a dataset per column
//   /summary    attributes with totals and percentiles (units in the names)
// The file is written as NAME.partial (a stale one from a killed run is replaced), synced to
// disk and renamed to NAME by commit(); a run that fails or throws (a full disk) leaves no
// NAME behind and no partial file (the destructor deletes it).
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "sim/io/columnar_writer.hpp"
#include "sim/io/h5_handle.hpp"

namespace cs {

// Throws std::invalid_argument unless `path` can name a run's output: a directory, a device,
// a FIFO or a socket there (or the path ending in a separator) is refused, so that replacing
// it by a regular file can never happen; a regular file (or a symlink to one) is replaced.
void check_output_path(const std::filesystem::path& path);

// Data and metadata of `path` (a file, or a `directory` after a rename in it) on the disk, so
// that a rename that survives a crash never points at blocks that were never written.
void sync_to_disk(const std::filesystem::path& path, bool directory);

class RunFile {
 public:
  explicit RunFile(std::filesystem::path final_path);
  RunFile(const RunFile&) = delete;
  RunFile& operator=(const RunFile&) = delete;
  ~RunFile();

  const std::filesystem::path& final_path() const { return final_path_; }
  std::filesystem::path partial_path() const;

  void meta(const std::string& name, const std::string& value);
  void meta(const std::string& name, std::int64_t value);
  void summary(const std::string& name, double value);
  void summary(const std::string& name, std::int64_t value);
  void summary(const std::string& name, const std::string& value);

  // The timeline group; `time_s` is added as its first column. Created once.
  ColumnarWriter& timeline(const std::vector<ColumnSpec>& series);
  // A table group at the file's root ("requests", "jobs").
  ColumnarWriter& table(const std::string& name, const std::vector<ColumnSpec>& columns);

  // What summary() recorded, in order, as text: for printing after the run. A name written
  // again keeps its place and takes the new value (the attribute is replaced too).
  const std::vector<std::pair<std::string, std::string>>& summary_entries() const { return summary_entries_; }
  // The same with the values as written (for --json and --summary-csv: full precision).
  using SummaryValue = std::variant<double, std::int64_t, std::string>;
  const std::vector<std::pair<std::string, SummaryValue>>& summary_values() const { return summary_values_; }

  // Flushes every buffer, closes the file and renames it into place.
  void commit();

 private:
  std::filesystem::path final_path_;
  H5Handle file_;
  H5Handle meta_;
  H5Handle summary_;
  std::unique_ptr<ColumnarWriter> timeline_;
  std::map<std::string, std::unique_ptr<ColumnarWriter>> tables_;
  void record_summary(const std::string& name, std::string text, SummaryValue value);

  std::vector<std::pair<std::string, std::string>> summary_entries_;
  std::vector<std::pair<std::string, SummaryValue>> summary_values_;
  bool committed_ = false;
};

}  // namespace cs
