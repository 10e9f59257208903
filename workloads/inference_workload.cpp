#include "workloads/inference_workload.hpp"

#include <stdexcept>
#include <utility>

#include "sim/engine/random.hpp"
#include "workloads/jsonl_request_trace.hpp"
#include "workloads/looped_source.hpp"
#include "workloads/workload_spec_checks.hpp"

namespace cs {

namespace {
std::unique_ptr<RequestSource> open_trace_file(const TraceSourceSpec& spec) {
  switch (spec.format) {
    case TraceFormat::kAzure: return std::make_unique<CsvRequestTrace>(spec.path, azure_llm_trace_mapping(), spec.read);
    case TraceFormat::kCsv: return std::make_unique<CsvRequestTrace>(spec.path, spec.columns, spec.read);
    case TraceFormat::kJsonl: return std::make_unique<JsonlRequestTrace>(spec.path, spec.read);
  }
  throw std::logic_error("unknown trace format");
}
}  // namespace

std::unique_ptr<RequestSource> open_request_trace(const TraceSourceSpec& spec) {
  std::unique_ptr<RequestSource> file = open_trace_file(spec);
  const TraceTransform transform{spec.time_scale, spec.max_tokens, spec.read.offset};
  if (transform.identity()) return file;
  return std::make_unique<TransformedSource>(std::move(file), transform);
}

std::unique_ptr<RequestSource> make_request_source(const InferenceWorkloadSpec& spec, std::uint64_t run_seed) {
  require_valid(validate(spec), "workload " + spec.name);
  const std::uint64_t seed = stream_seed(run_seed, "workload." + spec.name);
  if (spec.conversations) {
    return std::make_unique<ConversationSource>(*spec.conversations, seed);
  }
  if (spec.trace) {
    std::unique_ptr<RequestSource> source;
    if (spec.trace->passes == 1) {
      source = open_request_trace(*spec.trace);
    } else {
      const TraceSourceSpec trace = *spec.trace;
      source = std::make_unique<LoopedSource>([trace] { return open_request_trace(trace); }, trace.passes, trace.loop_period, trace.path);
    }
    if (spec.demand) source = std::make_unique<DemandShapedSource>(std::move(source), *spec.demand, seed);
    return source;
  }
  SyntheticWorkloadSpec synthetic = *spec.synthetic;
  if (spec.demand) synthetic.demand = spec.demand->demand;
  if (spec.lengths_from) {
    auto trace = open_request_trace(*spec.lengths_from);
    synthetic.lengths.resample = std::make_shared<const EmpiricalLengths>(EmpiricalLengths::from_source(*trace));
  }
  return std::make_unique<SyntheticRequestSource>(std::move(synthetic), seed);
}

}  // namespace cs
