#pragma once
// What one inference workload is, as plain data (the scenario loader fills it), and the
// construction of its request stream: a trace (optionally looped) or a synthetic generator,
// with a demand profile applied the way that keeps each one honest (replication/thinning for
// traces, a time change for generators).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "workloads/conversation_source.hpp"
#include "workloads/csv_request_trace.hpp"
#include "workloads/demand_shaped_source.hpp"
#include "workloads/request_source.hpp"
#include "workloads/synthetic_request_source.hpp"
#include "workloads/trace_read_options.hpp"
#include "workloads/trace_transform.hpp"

namespace cs {

enum class TraceFormat { kAzure, kJsonl, kCsv };

struct TraceSourceSpec {
  TraceFormat format = TraceFormat::kAzure;
  std::string path;
  CsvTraceMapping columns;  // kCsv only
  TraceReadOptions read;
  std::uint64_t passes = 1;  // played back to back this many times; 0: for ever
  Time loop_period;          // zero: the first pass's span plus its mean gap
  double time_scale = 1;           // each pass's clock (TraceTransform; start = read.offset)
  std::int64_t max_tokens = 0;     // prompt + output clip; 0: none
};

struct InferenceWorkloadSpec {
  std::string name = "workload";  // names its random streams
  std::optional<TraceSourceSpec> trace;           // exactly one of trace,
  std::optional<SyntheticWorkloadSpec> synthetic;  // synthetic
  std::optional<ConversationSpec> conversations;   // and conversations (no demand shaping)
  // Synthetic only: resample (input, output) pairs from this trace (read whole at build).
  std::optional<TraceSourceSpec> lengths_from;
  // None: the workload as it is. For a trace, `jitter` and `copy_prefix_ids` apply too.
  std::optional<DemandShapingSpec> demand;
};

// Opens the trace once, on its time scale and length clip (no looping, no shaping). Throws
// TraceError.
std::unique_ptr<RequestSource> open_request_trace(const TraceSourceSpec& spec);
// The workload's stream, seeded from the run seed and the workload's name. Throws
// std::invalid_argument for a spec without exactly one source (or conversations shaped by a
// demand profile), TraceError
// for trace files that cannot be read.
std::unique_ptr<RequestSource> make_request_source(const InferenceWorkloadSpec& spec, std::uint64_t run_seed);

}  // namespace cs
