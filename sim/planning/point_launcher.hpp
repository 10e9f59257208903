#pragma once
// Runs a batch of points in parallel and returns their results in the batch's order. The
// driver (run_points) reuses stored results, keeps every slot of a PointLauncher busy, hands
// the next point to whichever slot frees first (points differ in cost by orders of magnitude,
// so a static split would leave slots idle), and prints progress with an ETA. A launcher is
// where the points run: child processes on this machine (LocalLauncher) or MPI ranks
// (mpi_points.hpp).
#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "sim/planning/point_result.hpp"

namespace cs {

class PointLauncher {
 public:
  virtual ~PointLauncher() = default;
  virtual int slots() const = 0;
  // Starts point `id` on a free slot (the driver never launches more than slots() at once).
  virtual void launch(std::size_t id, const SweepPoint& p, const std::filesystem::path& folder) = 0;
  // Blocks until some launched point ends; returns its id and result.
  virtual std::pair<std::size_t, PointResult> wait_one() = 0;
};

// `jobs` child processes at a time, one per point.
class LocalLauncher : public PointLauncher {
 public:
  explicit LocalLauncher(int jobs);
  int slots() const override { return jobs_; }
  void launch(std::size_t id, const SweepPoint& p, const std::filesystem::path& folder) override;
  std::pair<std::size_t, PointResult> wait_one() override;

 private:
  struct Running {
    std::size_t id;
    SweepPoint point;
    std::filesystem::path folder;
  };
  int jobs_;
  std::map<pid_t, Running> running_;
};

struct ProgressOptions {
  bool show = true;   // on stderr: a redrawn line on a terminal, a line per point otherwise
  std::string label;  // "sweep", "plan round 2"
};

// Results in the order of `points`. Points whose stored result (same key) is ok and read the
// same build and files (point_inputs.hpp) are not rerun.
std::vector<PointResult> run_points(const std::vector<SweepPoint>& points, const std::filesystem::path& folder,
                                    PointLauncher& launcher, const ProgressOptions& progress);

// The default -j: the cores this process may use.
int default_jobs();

}  // namespace cs
