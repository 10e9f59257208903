#include "sim/io/trace_event_writer.hpp"

#include <stdexcept>
#include <system_error>

#include "sim/io/run_file.hpp"

namespace cs {

namespace fs = std::filesystem;

namespace {
// Trace Event Format timestamps are microseconds; simulated time is kept to the nanosecond.
double micros(std::int64_t ns) { return static_cast<double>(ns) / 1e3; }
}  // namespace

TraceEventWriter::TraceEventWriter(fs::path final_path, std::uint64_t max_events)
    : final_path_(std::move(final_path)), partial_path_(final_path_.string() + ".partial"), max_events_(max_events) {
  check_output_path(final_path_);
  if (final_path_.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(final_path_.parent_path(), ec);
  }
  out_.open(partial_path_, std::ios::binary | std::ios::trunc);
  if (!out_) throw std::runtime_error("cannot create " + partial_path_.string());
  out_ << "{\"displayTimeUnit\": \"ms\", \"traceEvents\": [";
}

TraceEventWriter::~TraceEventWriter() {
  if (committed_) return;
  out_.close();
  std::error_code ignored;
  fs::remove(partial_path_, ignored);
}

void TraceEventWriter::write(const nlohmann::json& event) {
  out_ << (first_ ? "\n" : ",\n") << event.dump();
  first_ = false;
}

bool TraceEventWriter::admit() {
  if (full()) {
    ++dropped_;
    return false;
  }
  ++written_;
  return true;
}

void TraceEventWriter::process_name(int pid, const std::string& name) {
  write({{"ph", "M"}, {"pid", pid}, {"tid", 0}, {"name", "process_name"}, {"args", {{"name", name}}}});
}

void TraceEventWriter::thread_name(int pid, std::int64_t tid, const std::string& name) {
  write({{"ph", "M"}, {"pid", pid}, {"tid", tid}, {"name", "thread_name"}, {"args", {{"name", name}}}});
}

void TraceEventWriter::complete(int pid, std::int64_t tid, const std::string& name, const char* category,
                                std::int64_t start_ns, std::int64_t end_ns, nlohmann::json args) {
  if (!admit()) return;
  nlohmann::json e = {{"ph", "X"},          {"pid", pid},           {"tid", tid}, {"name", name}, {"cat", category},
                      {"ts", micros(start_ns)}, {"dur", micros(end_ns - start_ns)}};
  if (!args.is_null()) e["args"] = std::move(args);
  write(e);
}

void TraceEventWriter::counter(int pid, const std::string& name, std::int64_t at_ns, const nlohmann::json& values) {
  if (!admit()) return;
  write({{"ph", "C"}, {"pid", pid}, {"tid", 0}, {"name", name}, {"ts", micros(at_ns)}, {"args", values}});
}

void TraceEventWriter::commit(nlohmann::json other) {
  other["events_written"] = written_;
  other["events_dropped"] = dropped_;
  other["events_limit"] = max_events_;
  out_ << "\n], \"otherData\": " << other.dump() << "}\n";
  out_.flush();
  if (!out_) throw std::runtime_error("cannot write " + partial_path_.string());
  out_.close();
  sync_to_disk(partial_path_, false);
  std::error_code ec;
  fs::rename(partial_path_, final_path_, ec);
  if (ec) throw std::runtime_error("cannot rename " + partial_path_.string() + ": " + ec.message());
  committed_ = true;
  sync_to_disk(final_path_.has_parent_path() ? final_path_.parent_path() : fs::path("."), true);
}

}  // namespace cs
