#include "workloads/csv_job_trace.hpp"

#include <stdexcept>
#include <utility>

#include "workloads/trace_error.hpp"
#include "workloads/trace_field_parse.hpp"

namespace cs {

CsvJobTrace::CsvJobTrace(std::string path, JobTraceOptions options)
    : lines_(std::move(path)), options_(options), last_submit_(options.offset) {
  std::string_view line;
  if (!lines_.next(line)) throw TraceError(lines_.path(), 0, "empty file: no header line");
  std::vector<std::string> header;
  try {
    for (std::string_view name : splitter_.split(line)) header.emplace_back(name);
  } catch (const std::invalid_argument& e) {
    throw TraceError(lines_.path(), lines_.line_number(), std::string("bad header: ") + e.what());
  }
  fields_ = header.size();
  for (std::size_t i = 0; i < header.size(); ++i) {
    const int c = static_cast<int>(i);
    if (header[i] == "submit_s")
      submit_ = c;
    else if (header[i] == "gpus")
      gpus_ = c;
    else if (header[i] == "duration_s")
      duration_ = c;
    else if (header[i] == "name")
      name_ = c;
    else if (header[i] == "qos")
      qos_ = c;
    else
      throw TraceError(lines_.path(), lines_.line_number(),
                       "unknown column '" + header[i] + "'; expected submit_s, gpus, duration_s, name, qos");
  }
  for (const auto& [column, name] : {std::pair{submit_, "submit_s"}, {gpus_, "gpus"}, {duration_, "duration_s"}})
    if (column < 0)
      throw TraceError(lines_.path(), lines_.line_number(), std::string("missing column '") + name + "' in the header");
}

JobTraceRecord CsvJobTrace::parse_row(std::string_view line) {
  const auto& f = splitter_.split(line);
  if (f.size() != fields_)
    throw std::invalid_argument("row has " + std::to_string(f.size()) + " fields, expected " + std::to_string(fields_));
  auto seconds = [&](int c, const char* name) {
    const std::int64_t ns = parse_decimal_scaled(f[static_cast<std::size_t>(c)], 9);
    if (ns < 0) throw std::invalid_argument(std::string(name) + " is negative");
    return Time::ns(ns);
  };
  JobTraceRecord r;
  ++row_;
  r.name = name_ >= 0 && !f[static_cast<std::size_t>(name_)].empty() ? std::string(f[static_cast<std::size_t>(name_)])
                                                                     : "job-" + std::to_string(row_ - 1);
  r.qos = qos_ >= 0 ? std::string(f[static_cast<std::size_t>(qos_)]) : "";
  r.num_gpu = parse_count(f[static_cast<std::size_t>(gpus_)]);
  r.gpu_milli = r.num_gpu > 0 ? 1000 : 0;
  r.creation = options_.offset + seconds(submit_, "submit_s");
  r.scheduled = r.creation;
  r.deletion = r.creation + seconds(duration_, "duration_s");
  r.phase = PodPhase::kSucceeded;
  if (r.creation < last_submit_) throw std::invalid_argument("submit_s before the previous row's");
  return r;
}

std::optional<JobTraceRecord> CsvJobTrace::next() {
  std::string_view line;
  while (lines_.next(line)) {
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    try {
      JobTraceRecord r = parse_row(line);
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
