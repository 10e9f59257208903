#pragma once
// Running one point: in this process (run_point), or in a child process of its own
// (start_point_process / finish_point_process) so that a point that crashes, aborts or runs
// out of memory is recorded as failed with how it ended, and the others carry on.
#include <sys/types.h>

#include <filesystem>

#include "sim/planning/point_result.hpp"

namespace cs {

// Loads the scenario with the point's overrides and seed, runs it to <folder>/points/<stem>.h5,
// adds the worst-window TTFT p99 when the summary lacks it, and stores the result. Never
// throws: a bad setting or a simulation error is a failed result with its message.
PointResult run_point(const SweepPoint& p, const std::filesystem::path& folder);

// fork(): the child runs run_point and exits; throws std::runtime_error if fork fails.
pid_t start_point_process(const SweepPoint& p, const std::filesystem::path& folder);
// The child's stored result, or a failed one saying how it ended (`wait_status` from waitpid).
PointResult finish_point_process(const SweepPoint& p, const std::filesystem::path& folder, int wait_status);
// Both, waiting for the child.
PointResult run_point_isolated(const SweepPoint& p, const std::filesystem::path& folder);

}  // namespace cs
