#include "workloads/workload_spec_checks.hpp"

#include <string>

namespace cs {

namespace {

// `start`, `end` of a generator: no request at or after the end, so it must come after the start.
void check_span(SpecProblems& out, Time start, const std::optional<Time>& end) {
  if (start < Time()) out.push_back({"start", "the start must not be negative"});
  if (end && *end <= start) out.push_back({"end", "the end must come after the start"});
}

}  // namespace

SpecProblems validate(const ArrivalSpec& a) {
  SpecProblems out;
  if (!(a.rate_per_s > 0)) out.push_back({"rate", "the arrival rate must be positive"});
  if (a.kind == ArrivalKind::kGamma && !(a.cv > 0))
    out.push_back({"cv", "the coefficient of variation must be positive"});
  return out;
}

SpecProblems validate(const DistributionSpec& d) {
  SpecProblems out;
  switch (d.kind) {
    case DistributionKind::kUniform:
      if (!(d.min >= 0)) out.push_back({"min", "min must be >= 0"});
      if (!(d.max > d.min)) out.push_back({"max", "uniform needs min < max"});
      break;
    case DistributionKind::kLognormal:
    case DistributionKind::kGamma:
      if (!(d.cv > 0)) out.push_back({"cv", "cv must be > 0"});
      [[fallthrough]];
    case DistributionKind::kFixed:
    case DistributionKind::kExponential:
      if (!(d.mean > 0)) out.insert(out.begin(), {"mean", "mean must be > 0"});
      break;
  }
  return out;
}

SpecProblems validate(const DiurnalSpec& d) {
  SpecProblems out;
  if (d.period <= Time()) out.push_back({"period", "the period must be positive"});
  if (!(d.amplitude >= 0 && d.amplitude <= 1)) out.push_back({"amplitude", "the amplitude must be in [0, 1]"});
  return out;
}

SpecProblems validate(const ConversationSpec& c) {
  SpecProblems out;
  append_under(out, "sessions", validate(c.sessions));
  append_under(out, "turns", validate(c.turns));
  append_under(out, "think_time", validate(c.think_time_s));
  append_under(out, "user_tokens", validate(c.user_tokens));
  append_under(out, "output_tokens", validate(c.output_tokens));
  if (c.system_prompt_tokens < 0) out.push_back({"system_prompt_tokens", "must not be negative"});
  if (c.system_prompts < 1) out.push_back({"system_prompts", "must be at least 1"});
  if (!(c.system_prompt_zipf >= 0)) out.push_back({"system_prompt_zipf", "must not be negative"});
  if (c.block_tokens < 1) out.push_back({"block_tokens", "a prefix block must hold at least one token"});
  if (c.max_context_tokens < 0)
    out.push_back({"max_context_tokens", "must not be negative"});
  else if (c.max_context_tokens > 0 && c.max_context_tokens < c.system_prompt_tokens + 2)
    out.push_back({"max_context_tokens",
                   "no turn fits: the system prompt alone leaves no room for a message and an answer"});
  check_span(out, c.start, c.end);
  return out;
}

SpecProblems validate(const SyntheticWorkloadSpec& g) {
  SpecProblems out;
  append_under(out, "arrivals", validate(g.arrivals));
  append_under(out, "diurnal", validate(g.diurnal));
  if (!g.lengths.resample) {
    append_under(out, "input_tokens", validate(g.lengths.input));
    append_under(out, "output_tokens", validate(g.lengths.output));
  }
  if (g.lengths.max_input_tokens < 0) out.push_back({"max_input_tokens", "must not be negative"});
  if (g.lengths.max_output_tokens < 0) out.push_back({"max_output_tokens", "must not be negative"});
  check_span(out, g.start, g.end);
  return out;
}

SpecProblems validate(const TraceSourceSpec& t) {
  SpecProblems out;
  if (t.read.offset < Time()) out.push_back({"start", "the start must not be negative"});
  if (!(t.time_scale > 0)) out.push_back({"time_scale", "the time scale must be positive"});
  if (t.loop_period < Time()) out.push_back({"loop_period", "the loop period must not be negative"});
  return out;
}

SpecProblems validate(const DemandShapingSpec& d) {
  SpecProblems out;
  if (d.demand.peak() > kMaxDemandMultiplier)
    out.push_back({"", "the demand peaks at " + std::to_string(d.demand.peak()) + "x; the limit is " +
                           std::to_string(static_cast<int>(kMaxDemandMultiplier)) + "x"});
  if (d.jitter < Time() || d.jitter > kMaxJitter)
    out.push_back({"jitter", "the jitter must be between 0 s and " + format_duration(kMaxJitter)});
  return out;
}

SpecProblems validate(const InferenceWorkloadSpec& w) {
  SpecProblems out;
  if (w.trace.has_value() + w.synthetic.has_value() + w.conversations.has_value() != 1) {
    out.push_back({"", "a workload needs exactly one of 'trace', 'synthetic' and 'conversations'"});
    return out;
  }
  if (w.conversations && w.demand)
    out.push_back({"demand", "conversations take no demand profile: set the session rate (conversations.sessions)"});
  if (w.trace) append_under(out, "trace", validate(*w.trace));
  if (w.synthetic) append_under(out, "synthetic", validate(*w.synthetic));
  if (w.lengths_from) append_under(out, "synthetic.lengths_from", validate(*w.lengths_from));
  if (w.conversations) append_under(out, "conversations", validate(*w.conversations));
  if (w.demand) append_under(out, "demand", validate(*w.demand));
  return out;
}

}  // namespace cs
