#include "workloads/csv_line_split.hpp"

#include <stdexcept>

namespace cs {

namespace {
bool is_blank(char c) { return c == ' ' || c == '\t'; }
}  // namespace

const std::vector<std::string_view>& CsvLineSplitter::split(std::string_view line) {
  fields_.clear();
  std::size_t used_unescaped = 0;
  std::size_t i = 0;
  for (;;) {
    while (i < line.size() && is_blank(line[i]) && line[i] != delimiter_) ++i;
    if (i < line.size() && line[i] == '"') {
      const std::size_t open = ++i;
      bool escaped = false;
      for (;;) {
        if (i >= line.size()) throw std::invalid_argument("unterminated quote");
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            escaped = true;
            i += 2;
            continue;
          }
          break;
        }
        ++i;
      }
      std::string_view inside = line.substr(open, i - open);
      ++i;  // closing quote
      if (escaped) {
        if (unescaped_.size() <= used_unescaped) unescaped_.emplace_back();
        std::string& out = unescaped_[used_unescaped++];
        out.clear();
        for (std::size_t k = 0; k < inside.size(); ++k) {
          out.push_back(inside[k]);
          if (inside[k] == '"') ++k;  // the second quote of a "" pair
        }
        inside = out;
      }
      fields_.push_back(inside);
      while (i < line.size() && is_blank(line[i]) && line[i] != delimiter_) ++i;
      if (i < line.size() && line[i] != delimiter_) throw std::invalid_argument("text after a closing quote");
    } else {
      const std::size_t start = i;
      while (i < line.size() && line[i] != delimiter_) ++i;
      std::size_t stop = i;
      while (stop > start && is_blank(line[stop - 1])) --stop;
      fields_.push_back(line.substr(start, stop - start));
    }
    if (i >= line.size()) break;
    ++i;  // delimiter
  }
  return fields_;
}

}  // namespace cs
