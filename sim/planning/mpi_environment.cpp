#include <cstdlib>
#include <string>

#include "sim/planning/point_cluster.hpp"

namespace cs {

bool launched_by_mpi() {
  // OpenMPI's mpirun, PMIx (srun --mpi=pmix, mpirun of OpenMPI 5) and PMI-2 (srun --mpi=pmi2).
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"})
    if (std::getenv(name)) return true;
  return false;
}

}  // namespace cs
