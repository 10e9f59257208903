#pragma once
// One HDF5 file per run, laid out as DESIGN.md section 5 says:
//   /meta       attributes: tool version, scenario text, seed, start time, units
//   /timeline   time_s plus one dataset per series, all on the common sample clock
//   /<table>    one group per per-item table (/requests, /jobs), a dataset per column
//   /summary    attributes with totals and percentiles (units in the names)
//   /summary_units  one text attribute per /summary key: its declared unit
// Every /summary key and timeline series must be declared first (declare(), a listener's
// OutputKeyTable) and a key is written once: an undeclared or repeated key is a bug and throws
// std::logic_error.
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
#include "sim/io/output_keys.hpp"

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

  // The /summary keys (declare_summary) or timeline series (declare_series) a listener writes;
  // each name is read as `prefix` + its name ("h100." for a pool's own figures). Declaring the
  // same table under the same prefix again changes nothing; a name another table already
  // declared throws std::logic_error.
  void declare_summary(const OutputKeyTable& table, const std::string& prefix = "");
  void declare_series(const OutputKeyTable& table, const std::string& prefix = "");

  void meta(const std::string& name, const std::string& value);
  void meta(const std::string& name, std::int64_t value);
  void summary(const std::string& name, double value);
  void summary(const std::string& name, std::int64_t value);
  void summary(const std::string& name, const std::string& value);

  // The timeline group; `time_s` is added as its first column. Created once; every series must
  // be declared, with the unit its declaration gives.
  ColumnarWriter& timeline(const std::vector<ColumnSpec>& series);
  // A table group at the file's root ("requests", "jobs").
  ColumnarWriter& table(const std::string& name, const std::vector<ColumnSpec>& columns);

  // What summary() recorded, in order, as text: for printing after the run.
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
  H5Handle summary_units_;
  std::unique_ptr<ColumnarWriter> timeline_;
  std::map<std::string, std::unique_ptr<ColumnarWriter>> tables_;
  // Checks `name` is declared and new, writes its unit; the value is written by the caller.
  void check_summary_key(const std::string& name);
  void record_summary(const std::string& name, std::string text, SummaryValue value);

  struct Declaration {
    const OutputKeyTable* table;
    std::string prefix;
  };
  std::vector<Declaration> summary_keys_;
  std::vector<Declaration> series_keys_;

  std::vector<std::pair<std::string, std::string>> summary_entries_;
  std::vector<std::pair<std::string, SummaryValue>> summary_values_;
  bool committed_ = false;
};

}  // namespace cs
