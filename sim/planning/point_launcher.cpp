#include "sim/planning/point_launcher.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "sim/io/build_id.hpp"
#include "sim/planning/point_inputs.hpp"
#include "sim/planning/point_process.hpp"

namespace cs {

namespace {

std::string clock_text(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, s / 60 % 60);
  else if (s >= 60) std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%lds", s);
  return buf;
}

class Progress {
 public:
  Progress(const ProgressOptions& o, std::size_t total, std::size_t reused)
      : options_(o), total_(total), done_(reused), reused_(reused), terminal_(isatty(STDERR_FILENO)) {
    if (options_.show && reused_ > 0)
      std::fprintf(stderr, "%s: %zu reused of %zu points (finished before, settings and inputs unchanged)\n",
                   options_.label.c_str(), reused_, total_);
  }
  ~Progress() {
    if (drawn_) std::fputs("\n", stderr);
  }
  void point_done(const PointResult& r, std::size_t running) {
    ++done_;
    ++ran_;
    if (!r.ok) ++failed_;
    if (!options_.show) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    // Points run so far stand for the ones left: a rough guess where costs differ widely.
    const double eta = elapsed / static_cast<double>(ran_) * static_cast<double>(total_ - done_);
    std::fprintf(stderr, "%s%s: %zu/%zu points done (%zu failed, %zu reused), %zu running, %s elapsed, ETA %s%s",
                 terminal_ ? "\r" : "", options_.label.c_str(), done_, total_, failed_, reused_, running,
                 clock_text(elapsed).c_str(), clock_text(eta).c_str(), terminal_ ? "   " : "\n");
    std::fflush(stderr);
    drawn_ = terminal_;
  }

 private:
  ProgressOptions options_;
  std::size_t total_, done_, reused_, ran_ = 0, failed_ = 0;
  bool terminal_, drawn_ = false;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace

LocalLauncher::LocalLauncher(int jobs) : jobs_(std::max(jobs, 1)) {}

void LocalLauncher::launch(std::size_t id, const SweepPoint& p, const std::filesystem::path& folder) {
  running_.emplace(start_point_process(p, folder), Running{id, p, folder});
}

std::pair<std::size_t, PointResult> LocalLauncher::wait_one() {
  if (running_.empty()) throw std::logic_error("LocalLauncher::wait_one with nothing running");
  int status = 0;
  pid_t pid;
  while ((pid = waitpid(-1, &status, 0)) < 0)
    if (errno != EINTR) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
  const auto it = running_.find(pid);
  if (it == running_.end()) return wait_one();  // not one of ours (none are started elsewhere)
  Running r = std::move(it->second);
  running_.erase(it);
  return {r.id, finish_point_process(r.point, r.folder, status)};
}

std::vector<PointResult> run_points(const std::vector<SweepPoint>& points, const std::filesystem::path& folder,
                                    PointLauncher& launcher, const ProgressOptions& progress) {
  std::vector<PointResult> results(points.size());
  std::vector<std::size_t> todo;
  // A point listed twice is run once: two processes must never write the same files.
  std::map<std::string, std::size_t> first_of_key;
  std::vector<std::pair<std::size_t, std::size_t>> repeats;  // (point, the earlier one it repeats)
  // The build ID once here, not in every child process (they inherit it).
  (void)build_id();
  std::size_t stale = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto [it, fresh] = first_of_key.emplace(points[i].key(), i);
    if (!fresh) {
      repeats.emplace_back(i, it->second);
      continue;
    }
    auto stored = read_point_result(folder, points[i]);
    const bool current = stored && stored->ok && stored->inputs == point_inputs(points[i]);
    if (current) {
      results[i] = std::move(*stored);
    } else {
      if (stored && stored->ok) ++stale;
      // A failed or stale result is run again; removing it first means a crash now is not read as then.
      std::filesystem::remove(point_result_file(folder, points[i]));
      todo.push_back(i);
    }
  }
  if (progress.show && stale > 0)
    std::fprintf(stderr, "%s: %zu finished points run again: the build or a file they read changed\n",
                 progress.label.c_str(), stale);
  Progress bar(progress, points.size() - repeats.size(), points.size() - repeats.size() - todo.size());
  std::size_t next = 0, running = 0;
  while (next < todo.size() || running > 0) {
    while (next < todo.size() && static_cast<int>(running) < launcher.slots()) {
      launcher.launch(todo[next], points[todo[next]], folder);
      ++next;
      ++running;
    }
    auto [id, result] = launcher.wait_one();
    --running;
    bar.point_done(result, running);
    results[id] = std::move(result);
  }
  for (const auto& [point, earlier] : repeats) results[point] = results[earlier];
  return results;
}

int default_jobs() {
  const unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

}  // namespace cs
