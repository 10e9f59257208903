#pragma once
// A trace file that cannot be read as asked: which file, which line (1-based, 0 when the
// problem is the file itself) and why. what() is "file:line: reason", like a compiler's.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace cs {

class TraceError : public std::runtime_error {
 public:
  TraceError(std::string file, std::int64_t line, std::string reason);
  const std::string& file() const { return file_; }
  std::int64_t line() const { return line_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string file_;
  std::int64_t line_;
  std::string reason_;
};

// "file:line: reason" (or "file: reason" for line 0).
std::string trace_location_message(const std::string& file, std::int64_t line, const std::string& reason);

}  // namespace cs
