#pragma once
// A Chrome / Perfetto trace in the Trace Event Format (JSON object form, documented in
// Google's "Trace Event Format" and read by ui.perfetto.dev and chrome://tracing):
//   {"traceEvents": [ {"ph": "X", "pid", "tid", "ts", "dur", "name", "cat", "args"}, ... ],
//    "displayTimeUnit": "ms", "otherData": {...}}
// Times are given in nanoseconds of simulated time (since the start of the run) and written as
// microseconds, the format's unit. Events are streamed to
// NAME.partial as they come and the file is renamed into place by commit(), like the HDF5
// output; at most `max_events` are written, the rest are counted in otherData.events_dropped.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>


namespace cs {

class TraceEventWriter {
 public:
  // Throws std::invalid_argument for a path check_output_path refuses, std::runtime_error when
  // the file cannot be created.
  TraceEventWriter(std::filesystem::path final_path, std::uint64_t max_events);
  TraceEventWriter(const TraceEventWriter&) = delete;
  TraceEventWriter& operator=(const TraceEventWriter&) = delete;
  ~TraceEventWriter();  // without commit(): removes the partial file

  // Track names (metadata events: they do not count against max_events).
  void process_name(int pid, const std::string& name);
  void thread_name(int pid, std::int64_t tid, const std::string& name);
  // A slice [start, end) on track (pid, tid).
  void complete(int pid, std::int64_t tid, const std::string& name, const char* category, std::int64_t start_ns,
                std::int64_t end_ns, nlohmann::json args = nullptr);
  // A counter track per (pid, name); each key of `values` is one series.
  void counter(int pid, const std::string& name, std::int64_t at_ns, const nlohmann::json& values);

  bool full() const { return written_ >= max_events_; }
  std::uint64_t written() const { return written_; }
  std::uint64_t dropped() const { return dropped_; }

  // Closes the array, adds `other` (with the event counts) as otherData, syncs and renames.
  void commit(nlohmann::json other);

 private:
  void write(const nlohmann::json& event);
  bool admit();

  std::filesystem::path final_path_;
  std::filesystem::path partial_path_;
  std::ofstream out_;
  std::uint64_t max_events_;
  std::uint64_t written_ = 0;
  std::uint64_t dropped_ = 0;
  bool first_ = true;
  bool committed_ = false;
};

}  // namespace cs
