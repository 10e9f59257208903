#include "workloads/alibaba_pod_trace.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "workloads/trace_error.hpp"
#include "workloads/trace_field_parse.hpp"

namespace cs {

namespace {

enum Column { kName, kCpuMilli, kMemoryMib, kNumGpu, kGpuMilli, kGpuSpec, kQos, kPhase, kCreation, kDeletion, kScheduled };
constexpr const char* kColumnNames[] = {"name",     "cpu_milli", "memory_mib",    "num_gpu",       "gpu_milli",     "gpu_spec",
                                        "qos",      "pod_phase", "creation_time", "deletion_time", "scheduled_time"};

PodPhase parse_phase(std::string_view s) {
  if (s == "Pending") return PodPhase::kPending;
  if (s == "Running") return PodPhase::kRunning;
  if (s == "Succeeded") return PodPhase::kSucceeded;
  if (s == "Failed") return PodPhase::kFailed;
  throw std::invalid_argument("unknown pod_phase '" + std::string(s) + "'");
}

}  // namespace

AlibabaPodTrace::AlibabaPodTrace(std::string path, JobTraceOptions options)
    : lines_(std::move(path)), options_(options), last_creation_(options.offset) {
  std::string_view line;
  if (!lines_.next(line)) throw TraceError(lines_.path(), 0, "empty file: no header line");
  try {
    for (std::string_view name : splitter_.split(line)) header_.emplace_back(name);
  } catch (const std::invalid_argument& e) {
    throw TraceError(lines_.path(), lines_.line_number(), std::string("bad header: ") + e.what());
  }
  for (int c = 0; c < 11; ++c) {
    const auto it = std::find(header_.begin(), header_.end(), kColumnNames[c]);
    if (it == header_.end()) {
      throw TraceError(lines_.path(), lines_.line_number(), std::string("missing column '") + kColumnNames[c] + "' in the header");
    }
    column_[c] = static_cast<std::size_t>(it - header_.begin());
  }
}

JobTraceRecord AlibabaPodTrace::parse_row(std::string_view line) {
  const auto& f = splitter_.split(line);
  if (f.size() != header_.size()) {
    std::string what = "row has " + std::to_string(f.size()) + " fields, expected " + std::to_string(header_.size());
    if (f.size() < header_.size()) what += " (missing column '" + header_[f.size()] + "')";
    throw std::invalid_argument(what);
  }
  auto field = [&](Column c) { return f[column_[c]]; };
  auto count = [&](Column c) {
    try {
      return parse_count(field(c));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string(e.what()) + " in column '" + kColumnNames[c] + "'");
    }
  };
  auto seconds = [&](Column c) -> std::optional<Time> {
    if (field(c).empty()) return std::nullopt;
    return options_.offset + Time::s(count(c));
  };
  JobTraceRecord r;
  r.name = std::string(field(kName));
  if (r.name.empty()) throw std::invalid_argument("empty name");
  r.cpu_milli = count(kCpuMilli);
  r.memory_mib = count(kMemoryMib);
  r.num_gpu = count(kNumGpu);
  r.gpu_milli = count(kGpuMilli);
  if (r.gpu_milli > 1000) throw std::invalid_argument("gpu_milli above 1000");
  r.gpu_spec = std::string(field(kGpuSpec));
  r.qos = std::string(field(kQos));
  if (r.qos.empty()) throw std::invalid_argument("empty qos");
  r.phase = parse_phase(field(kPhase));
  const auto creation = seconds(kCreation);
  if (!creation) throw std::invalid_argument("empty creation_time");
  r.creation = *creation;
  r.deletion = seconds(kDeletion);
  r.scheduled = seconds(kScheduled);
  if (r.creation < last_creation_) throw std::invalid_argument("creation_time before the previous row's");
  return r;
}

std::optional<JobTraceRecord> AlibabaPodTrace::next() {
  std::string_view line;
  while (lines_.next(line)) {
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    try {
      JobTraceRecord r = parse_row(line);
      last_creation_ = r.creation;
      return r;
    } catch (const std::invalid_argument& e) {
      if (!options_.skip_bad_rows) throw TraceError(lines_.path(), lines_.line_number(), e.what());
      if (skipped_++ == 0) first_skipped_ = trace_location_message(lines_.path(), lines_.line_number(), e.what());
    }
  }
  return std::nullopt;
}

}  // namespace cs
