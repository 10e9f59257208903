#include "sim/training/cluster_job.hpp"

namespace cs {

std::string_view to_string(ClusterJobStatus s) {
  switch (s) {
    case ClusterJobStatus::kWaiting:
      return "waiting";
    case ClusterJobStatus::kRunning:
      return "running";
    case ClusterJobStatus::kFinished:
      return "finished";
    case ClusterJobStatus::kNeverFits:
      return "never_fits";
  }
  return "?";
}

}  // namespace cs
