#pragma once
// Example scenarios name their traces in shared/ beside the checkout (as CI lays it out); a
// checkout or worktree elsewhere reads the same files from the configured trace folder.
#include <filesystem>
#include <string>

#include "sim/scenario/scenario.hpp"

namespace cs::test {

inline void redirect_traces(Scenario& s) {
  namespace fs = std::filesystem;
  auto fix = [](std::string& path) {
    if (!path.empty() && !fs::exists(path))
      path = (fs::path(CLUSTERSIM_TRACE_DIR) / fs::path(path).filename()).string();
  };
  if (s.workload && s.workload->trace) fix(s.workload->trace->path);
  for (auto& w : s.workload_streams)
    if (w.trace) fix(w.trace->path);
  if (s.training && s.training->trace) fix(s.training->trace->trace.path);
}

}  // namespace cs::test
