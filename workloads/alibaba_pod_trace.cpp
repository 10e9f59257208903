#include "workloads/alibaba_pod_trace.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

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
    : LineJobSource(std::move(path), options, "creation_time") {
  for (int c = 0; c < 11; ++c) {
    const auto it = std::find(header().begin(), header().end(), kColumnNames[c]);
    if (it == header().end()) fail_header(std::string("missing column '") + kColumnNames[c] + "' in the header");
    column_[c] = static_cast<std::size_t>(it - header().begin());
  }
}

JobTraceRecord AlibabaPodTrace::parse_row(std::string_view line) {
  const auto& f = split_row(line);
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
    return options().offset + Time::s(count(c));
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
  return r;
}

}  // namespace cs
