#pragma once
// The two decision figures a planner ranks and judges by that a run's /summary may not carry
// yet, each computed in exactly one place: $ per 1k tokens, and the p99 TTFT of the worst
// window. Each takes the summary's own figure when the run wrote it.
#include <filesystem>

#include "sim/engine/time.hpp"
#include "sim/planning/point_result.hpp"

namespace cs {

// `usd_per_1k_tokens` from the summary; else cost_usd per 1k output tokens generated. NaN
// when neither is there (a run with no serving).
double usd_per_1k_tokens(const SummaryValues& summary);

// `worst_window_ttft_p99_s` from the summary; else the highest p99 TTFT over windows of
// `window` (by arrival time) of the run file's /requests table. A request that never got its
// first token counts as infinitely late if it was refused (rejected, dropped, unroutable),
// and as late as the horizon if it was still waiting there: both are misses a user saw.
// NaN when the run has no /requests table.
double worst_window_ttft_p99_s(const SummaryValues& summary, const std::filesystem::path& run_file, Time window);

constexpr const char* kWorstWindowTtftKey = "worst_window_ttft_p99_s";

}  // namespace cs
