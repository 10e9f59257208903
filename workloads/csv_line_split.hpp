#pragma once
// Splits one CSV line into fields: RFC 4180 quoting ("a,b" and "" inside quotes) on a single
// line, spaces and tabs around unquoted fields trimmed. Traces never need multi-line fields.
#include <string>
#include <string_view>
#include <deque>
#include <vector>

namespace cs {

class CsvLineSplitter {
 public:
  explicit CsvLineSplitter(char delimiter = ',') : delimiter_(delimiter) {}
  // Views into `line` (or into the splitter for fields with "" escapes), valid until the next
  // call. Throws std::invalid_argument for an unterminated quote or text after a closing one.
  const std::vector<std::string_view>& split(std::string_view line);

 private:
  char delimiter_;
  std::vector<std::string_view> fields_;
  std::deque<std::string> unescaped_;  // a deque: growing it never moves the strings viewed
};

}  // namespace cs
