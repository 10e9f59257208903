#include "workloads/csv_request_trace.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "workloads/trace_field_parse.hpp"

namespace cs {

CsvTraceMapping azure_llm_trace_mapping() {
  CsvTraceMapping m;
  m.time = {"TIMESTAMP", 0};
  m.time_unit = TraceTimeUnit::kWallClock;
  m.input_tokens = {"ContextTokens", 0};
  m.output_tokens = {"GeneratedTokens", 0};
  return m;
}

CsvRequestTrace::CsvRequestTrace(std::string path, CsvTraceMapping mapping, TraceReadOptions options)
    : LineTraceSource(std::move(path), std::move(options)), mapping_(std::move(mapping)), splitter_(mapping_.delimiter) {
  if (mapping_.has_header) {
    std::string_view line;
    bool found = false;
    while (lines().next(line)) {
      if (line.find_first_not_of(" \t") != std::string_view::npos) {
        found = true;
        break;
      }
    }
    if (!found) fail_file(0, "empty file: no header line");
    try {
      for (std::string_view name : splitter_.split(line)) header_.emplace_back(name);
    } catch (const std::invalid_argument& e) {
      fail_file(line_number(), std::string("bad header: ") + e.what());
    }
  }
  time_index_ = resolve(mapping_.time, "time");
  input_index_ = resolve(mapping_.input_tokens, "input tokens");
  output_index_ = resolve(mapping_.output_tokens, "output tokens");
  if (mapping_.model) model_index_ = resolve(*mapping_.model, "model");
  needed_fields_ = std::max({time_index_, input_index_, output_index_, model_index_.value_or(0)}) + 1;
  if (mapping_.has_header) needed_fields_ = header_.size();
}

std::size_t CsvRequestTrace::resolve(const CsvColumn& column, std::string_view role) const {
  if (column.name.empty()) {
    if (column.position < 1) fail_file(0, "the " + std::string(role) + " column needs a name or a position >= 1");
    if (mapping_.has_header && static_cast<std::size_t>(column.position) > header_.size()) {
      fail_file(line_number(), "the " + std::string(role) + " column is at position " +
                                           std::to_string(column.position) + " but the header has " +
                                           std::to_string(header_.size()) + " columns");
    }
    return static_cast<std::size_t>(column.position - 1);
  }
  if (!mapping_.has_header) {
    fail_file(0, "the " + std::string(role) + " column '" + column.name + "' is named but the file has no header");
  }
  const auto it = std::find(header_.begin(), header_.end(), column.name);
  if (it == header_.end()) {
    std::string found;
    for (const auto& h : header_) found += (found.empty() ? "" : ", ") + h;
    fail_file(line_number(), "missing column '" + column.name + "' (" + std::string(role) +
                                         ") in the header; it has: " + found);
  }
  return static_cast<std::size_t>(it - header_.begin());
}

void CsvRequestTrace::parse_row(std::string_view line, InferenceRequest& out, std::int64_t& raw_time_ns) {
  const auto& fields = splitter_.split(line);
  if (fields.size() < needed_fields_ || (mapping_.has_header && fields.size() != header_.size())) {
    std::string what = "row has " + std::to_string(fields.size()) + " fields, expected " + std::to_string(needed_fields_);
    if (fields.size() < needed_fields_ && mapping_.has_header) what += " (missing column '" + header_[fields.size()] + "')";
    throw std::invalid_argument(what);
  }
  auto field_error = [&](std::size_t index, const std::invalid_argument& e) {
    const std::string column =
        mapping_.has_header ? "'" + header_[index] + "'" : "at position " + std::to_string(index + 1);
    return std::invalid_argument(std::string(e.what()) + " in column " + column);
  };
  try {
    const std::string_view t = fields[time_index_];
    switch (mapping_.time_unit) {
      case TraceTimeUnit::kWallClock: raw_time_ns = parse_wall_clock_ns(t); break;
      case TraceTimeUnit::kSeconds: raw_time_ns = parse_decimal_scaled(t, 9); break;
      case TraceTimeUnit::kMilliseconds: raw_time_ns = parse_decimal_scaled(t, 6); break;
      case TraceTimeUnit::kMicroseconds: raw_time_ns = parse_decimal_scaled(t, 3); break;
      case TraceTimeUnit::kNanoseconds: raw_time_ns = parse_decimal_scaled(t, 0); break;
    }
  } catch (const std::invalid_argument& e) {
    throw field_error(time_index_, e);
  }
  try {
    out.input_tokens = parse_count(fields[input_index_]);
  } catch (const std::invalid_argument& e) {
    throw field_error(input_index_, e);
  }
  try {
    out.output_tokens = parse_count(fields[output_index_]);
  } catch (const std::invalid_argument& e) {
    throw field_error(output_index_, e);
  }
  if (model_index_) out.model = std::string(fields[*model_index_]);
}

}  // namespace cs
