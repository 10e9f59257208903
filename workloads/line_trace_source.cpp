#include "workloads/line_trace_source.hpp"

#include <stdexcept>
#include <utility>

#include "workloads/trace_error.hpp"

namespace cs {

LineTraceSource::LineTraceSource(std::string path, TraceReadOptions options)
    : lines_(std::move(path)), options_(std::move(options)) {}

void LineTraceSource::fail_file(std::int64_t line, const std::string& reason) const {
  throw TraceError(lines_.path(), line, reason);
}

std::optional<InferenceRequest> LineTraceSource::next() {
  std::string_view line;
  while (lines_.next(line)) {
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    InferenceRequest request;
    std::int64_t raw_ns = 0;
    try {
      parse_row(line, request, raw_ns);
      // Arrival order is part of the source's contract; a trace out of order cannot be
      // streamed, so an earlier time than the previous row's is a malformed row.
      if (origin_ns_ && raw_ns < last_raw_ns_) {
        throw std::invalid_argument("time " + std::to_string(raw_ns) + " ns is before the previous row's " +
                                    std::to_string(last_raw_ns_) + " ns");
      }
      if (options_.origin == TraceTimeOrigin::kFileZero && raw_ns < 0) {
        throw std::invalid_argument("negative time with time origin at the file's zero");
      }
    } catch (const std::invalid_argument& e) {
      if (!options_.skip_bad_rows) throw TraceError(lines_.path(), lines_.line_number(), e.what());
      if (skipped_++ == 0) first_skipped_ = trace_location_message(lines_.path(), lines_.line_number(), e.what());
      continue;
    }
    if (!origin_ns_) origin_ns_ = options_.origin == TraceTimeOrigin::kFirstRow ? raw_ns : 0;
    last_raw_ns_ = raw_ns;
    request.arrival = options_.offset + Time::ns(raw_ns - *origin_ns_);
    if (request.model.empty()) request.model = options_.model;
    ++rows_;
    return request;
  }
  return std::nullopt;
}

}  // namespace cs
