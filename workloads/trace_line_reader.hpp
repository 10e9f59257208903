#pragma once
// Reads a text file line by line in large blocks, with line numbers, so trace readers stream
// files of any length in constant memory. Accepts LF and CRLF line ends and a last line
// without a newline (the Azure traces end that way), and drops a UTF-8 byte-order mark.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

namespace cs {

class TraceLineReader {
 public:
  // Throws TraceError (line 0) when the file cannot be opened.
  explicit TraceLineReader(std::string path);
  // The next line without its line end; false at the end of the file. The view stays valid
  // until the next call.
  bool next(std::string_view& line);
  // 1-based number of the line last returned.
  std::int64_t line_number() const { return line_number_; }
  const std::string& path() const { return path_; }

 private:
  bool refill();

  struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  std::string path_;
  std::unique_ptr<std::FILE, FileCloser> file_;
  std::string buffer_;
  std::size_t begin_ = 0;  // start of the unread part of buffer_
  std::size_t end_ = 0;    // end of the valid bytes in buffer_
  bool eof_ = false;
  std::int64_t line_number_ = 0;
};

}  // namespace cs
