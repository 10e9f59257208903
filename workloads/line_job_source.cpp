#include "workloads/line_job_source.hpp"

#include <stdexcept>
#include <utility>

#include "workloads/trace_error.hpp"

namespace cs {

LineJobSource::LineJobSource(std::string path, JobTraceOptions options, std::string submit_column)
    : lines_(std::move(path)),
      options_(options),
      submit_column_(std::move(submit_column)),
      last_submit_(options.offset) {
  std::string_view line;
  if (!lines_.next(line)) throw TraceError(lines_.path(), 0, "empty file: no header line");
  try {
    for (std::string_view name : splitter_.split(line)) header_.emplace_back(name);
  } catch (const std::invalid_argument& e) {
    fail_header(std::string("bad header: ") + e.what());
  }
}

void LineJobSource::fail_header(const std::string& reason) const {
  throw TraceError(lines_.path(), lines_.line_number(), reason);
}

const std::vector<std::string_view>& LineJobSource::split_row(std::string_view line) {
  const auto& f = splitter_.split(line);
  if (f.size() != header_.size()) {
    std::string what = "row has " + std::to_string(f.size()) + " fields, expected " + std::to_string(header_.size());
    if (f.size() < header_.size()) what += " (missing column '" + header_[f.size()] + "')";
    throw std::invalid_argument(what);
  }
  return f;
}

std::optional<JobTraceRecord> LineJobSource::next() {
  std::string_view line;
  while (lines_.next(line)) {
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    try {
      JobTraceRecord r = parse_row(line);
      if (r.creation < last_submit_) throw std::invalid_argument(submit_column_ + " before the previous row's");
      last_submit_ = r.creation;
      return r;
    } catch (const std::invalid_argument& e) {
      if (!options_.skip_bad_rows) throw TraceError(lines_.path(), lines_.line_number(), e.what());
      if (skipped_++ == 0) first_skipped_ = trace_location_message(lines_.path(), lines_.line_number(), e.what());
    }
  }
  return std::nullopt;
}

}  // namespace cs
