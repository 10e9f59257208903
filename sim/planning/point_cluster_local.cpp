// The build without MPI: points run in child processes of this one only.
#include <stdexcept>

#include "sim/planning/point_cluster.hpp"

namespace cs {

int run_with_point_launcher(int jobs, const std::function<int(PointLauncher&)>& command) {
  if (launched_by_mpi())
    throw std::runtime_error(
        "started by an MPI launcher, but this clustersim was built without MPI (install libopenmpi-dev and "
        "reconfigure); run it without mpirun to use -j processes");
  LocalLauncher local(jobs);
  return command(local);
}

}  // namespace cs
