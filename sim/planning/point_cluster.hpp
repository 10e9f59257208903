#pragma once
// Where a sweep's or plan's points run. Started by mpirun or srun (and built with MPI), the
// process is one rank of many: rank 0 runs the command and hands points out one at a time to
// the other ranks as they free up (dynamic load balancing), collecting their results and
// writing every file the command writes; the other ranks only run points (each in a child
// process of its own) until rank 0 says stop. Otherwise points run in `jobs` child processes
// of this process.
#include <functional>

#include "sim/planning/point_launcher.hpp"

namespace cs {

// Whether the environment says an MPI launcher started this process with other ranks.
bool launched_by_mpi();

// Calls `command(launcher)` on the process that runs the command (rank 0, or the only
// process) and returns its exit status there; on other ranks serves points and returns 0.
// Throws std::runtime_error when launched by MPI in a build without it.
int run_with_point_launcher(int jobs, const std::function<int(PointLauncher&)>& command);

}  // namespace cs
