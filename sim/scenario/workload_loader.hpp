#pragma once
// YAML for inference workloads, demand profiles and job traces (docs/SCENARIOS.md, `workload:`):
//
//   workload:
//     model: llama-70b                      # optional: stamped on every request
//     trace:                                # either this ...
//       format: azure | jsonl | csv
//       path: traces/conv.csv               # relative to the file that names it
//       skip_bad_rows: false
//       time_origin: first_row | file       # default first_row
//       start: 0 s                          # where the trace begins in simulated time
//       loop: 1                             # passes back to back; 0 = for ever
//       loop_period: 1 h                    # default: span + mean gap
//       time_scale: 1                       # the trace's clock × this (1.5: 2/3 of the rate)
//       max_tokens: 0                       # clip prompt + output to this (0: no clip)
//       columns: {time: t_ms, time_unit: ms, input_tokens: in, output_tokens: out,
//                 model: m, delimiter: ",", header: true}   # csv only; positions are 1-based
//     synthetic:                            # ... or this
//       arrivals: {process: gamma, rate: 40/s, cv: 2}
//       diurnal: {period: 24 h, amplitude: 50%, peak_at: 14 h}
//       input_tokens: {distribution: lognormal, mean: 1000, cv: 1.5}
//       output_tokens: {distribution: fixed, mean: 200}
//       lengths_from: {format: azure, path: ...}    # instead of the two above
//       max_input_tokens: 8192
//       max_output_tokens: 2048
//       start: 0 s
//       end: 2 h
//       max_requests: 0
//     demand:
//       preset: launch_day | weekly_growth | flash_burst   # with its shape keys, or
//       points: [[0 s, 1x], [2 h, 10x]]                     # (or {at:, multiplier:} maps)
//       jitter: 10 s                                        # trace copies only
//       copy_prefix_ids: keep | per_copy                    # trace copies only
//
//   jobs: {format: alibaba_pods | csv, path: ..., skip_bad_rows: false, start: 0 s}
//   jobs:                                   # or the jobs themselves, in submit order
//     - {name: a, submit: 0 s, gpus: 8, duration: 2 h, qos: LS}
#include "sim/scenario/config_reader.hpp"
#include "workloads/alibaba_pod_trace.hpp"
#include "workloads/demand_profile.hpp"
#include "workloads/inference_workload.hpp"
#include "workloads/job_workload.hpp"

namespace cs {

InferenceWorkloadSpec read_inference_workload(MapReader r);
// A `demand:` map without the trace-only keys (preset + shape keys, or points).
DemandProfile read_demand_profile(MapReader& r);
JobTraceSpec read_job_trace(MapReader r);
// `parent[key]`: a map naming a file (alibaba_pods or csv; csv_job_trace.hpp has the columns)
// or a list of {name, submit, gpus, duration, qos}.
JobWorkloadSpec read_job_workload(MapReader& parent, std::string_view key);

}  // namespace cs
