#pragma once
// The checks an inference workload's spec and its parts must pass as wholes, once every key is
// read (each key's own type and range is checked as it is read): rates and moments that make a
// process, a span that ends after it starts, a conversation turn that fits its context, demand
// shaping within the bounds memory allows. Keys are relative to the part's own section, as the
// scenario writes it (docs/SCENARIOS.md, `workload:`). The scenario loader calls the workload's
// validate once per stream; the sources built from a spec call the same checks (require_valid).
#include "sim/engine/spec_problem.hpp"
#include "workloads/arrival_process.hpp"
#include "workloads/conversation_source.hpp"
#include "workloads/demand_shaped_source.hpp"
#include "workloads/distribution.hpp"
#include "workloads/inference_workload.hpp"
#include "workloads/rate_multiplier.hpp"
#include "workloads/synthetic_request_source.hpp"

namespace cs {

// Bounds on demand shaping: every copy of a trace request is a request to simulate, and copies
// are held until no later one can precede them, so memory grows with multiplier x jitter. A
// 1000x spike on the Azure conversation trace (5.5 req/s) is 5,500 req/s; with 10 min of
// jitter at most ~1.7 M copies wait (about 0.3 GB). A steeper launch belongs to a synthetic
// arrival process, a wider smear to the trace's own clock.
constexpr double kMaxDemandMultiplier = 1000;
constexpr Time kMaxJitter = Time::s(600);

SpecProblems validate(const ArrivalSpec& a);        // keys: rate, cv
SpecProblems validate(const DistributionSpec& d);   // keys: mean, min, max, cv
SpecProblems validate(const DiurnalSpec& d);        // keys: period, amplitude
SpecProblems validate(const ConversationSpec& c);   // keys as under `conversations:`
SpecProblems validate(const SyntheticWorkloadSpec& g);  // keys as under `synthetic:`
SpecProblems validate(const TraceSourceSpec& t);    // keys as under `trace:`
SpecProblems validate(const DemandShapingSpec& d);  // keys as under `demand:`
// The stream: exactly one source, and each part's checks under its key.
SpecProblems validate(const InferenceWorkloadSpec& w);

}  // namespace cs
