#include "workloads/trace_line_reader.hpp"

#include <cerrno>
#include <cstring>
#include <utility>

#include "workloads/trace_error.hpp"

namespace cs {

namespace {
constexpr std::size_t kBlockBytes = 1 << 20;
}

TraceLineReader::TraceLineReader(std::string path) : path_(std::move(path)) {
  file_.reset(std::fopen(path_.c_str(), "rb"));
  if (!file_) throw TraceError(path_, 0, std::string("cannot open: ") + std::strerror(errno));
  buffer_.resize(kBlockBytes);
}

bool TraceLineReader::refill() {
  if (eof_) return false;
  // Keep the unfinished line, move it to the front, and grow only for a line longer than the
  // buffer, so memory stays at one block for any sane file.
  const std::size_t kept = end_ - begin_;
  if (begin_ > 0) std::memmove(buffer_.data(), buffer_.data() + begin_, kept);
  begin_ = 0;
  end_ = kept;
  if (buffer_.size() - end_ < kBlockBytes / 2) buffer_.resize(buffer_.size() * 2);
  const std::size_t got = std::fread(buffer_.data() + end_, 1, buffer_.size() - end_, file_.get());
  if (got == 0) {
    if (std::ferror(file_.get())) throw TraceError(path_, line_number_ + 1, "read error");
    eof_ = true;
    return false;
  }
  end_ += got;
  return true;
}

bool TraceLineReader::next(std::string_view& line) {
  for (;;) {
    const char* start = buffer_.data() + begin_;
    const auto* newline = static_cast<const char*>(std::memchr(start, '\n', end_ - begin_));
    std::size_t length = 0;
    if (newline != nullptr) {
      length = static_cast<std::size_t>(newline - start);
      begin_ += length + 1;
    } else if (!refill()) {
      if (begin_ == end_) return false;
      length = end_ - begin_;  // last line, no newline after it
      start = buffer_.data() + begin_;
      begin_ = end_;
    } else {
      continue;
    }
    ++line_number_;
    if (length > 0 && start[length - 1] == '\r') --length;
    line = std::string_view(start, length);
    if (line_number_ == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    return true;
  }
}

}  // namespace cs
