#include "workloads/trace_error.hpp"

#include <utility>

namespace cs {

std::string trace_location_message(const std::string& file, std::int64_t line, const std::string& reason) {
  if (line <= 0) return file + ": " + reason;
  return file + ":" + std::to_string(line) + ": " + reason;
}

TraceError::TraceError(std::string file, std::int64_t line, std::string reason)
    : std::runtime_error(trace_location_message(file, line, reason)),
      file_(std::move(file)),
      line_(line),
      reason_(std::move(reason)) {}

}  // namespace cs
