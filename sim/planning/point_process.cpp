#include "sim/planning/point_process.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "sim/planning/point_inputs.hpp"
#include "sim/planning/slo_figures.hpp"
#include "sim/simulation/simulation.hpp"

namespace cs {

PointResult run_point(const SweepPoint& p, const std::filesystem::path& folder) {
  PointResult r;
  r.key = p.key();
  r.seed = p.seed.value_or(0);
  const auto wall_start = std::chrono::steady_clock::now();
  const auto run_file = point_run_file(folder, p);
  r.run_file = std::filesystem::relative(run_file, folder).string();
  try {
    const Scenario scenario = load_point_scenario(p);
    r.seed = scenario.seed;
    r.inputs = point_inputs(scenario);
    std::filesystem::create_directories(run_file.parent_path());
    RunOptions run;
    run.output = run_file;
    run.command_line = "clustersim sweep point";
    for (const auto& o : p.overrides()) run.command_line += " --set '" + o + "'";
    if (p.seed) run.command_line += " --seed " + std::to_string(*p.seed);
    r.summary = run_scenario(scenario, run).summary;
    if (std::isnan(summary_number(r.summary, kWorstWindowTtftKey))) {
      const double worst = worst_window_ttft_p99_s(r.summary, run_file, p.worst_window);
      if (!std::isnan(worst)) {
        char text[32];
        std::snprintf(text, sizeof text, "%.6g", worst);
        r.summary.emplace_back(kWorstWindowTtftKey, text);
      }
    }
    r.ok = true;
  } catch (const std::exception& e) {
    r.ok = false;
    r.error = e.what();
  }
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  try {
    write_point_result(folder, p, r);
  } catch (const std::exception& e) {
    r.ok = false;
    r.error = e.what();
  }
  return r;
}

pid_t start_point_process(const SweepPoint& p, const std::filesystem::path& folder) {
  std::fflush(stdout);  // or the child would print the parent's buffered text again
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    const PointResult r = run_point(p, folder);
    std::fflush(nullptr);
    _exit(r.ok ? 0 : 1);  // not exit(): the parent's atexit handlers (MPI, HDF5) are the parent's
  }
  return pid;
}

PointResult finish_point_process(const SweepPoint& p, const std::filesystem::path& folder, int wait_status) {
  if (auto stored = read_point_result(folder, p)) return *stored;
  PointResult r;
  r.key = p.key();
  if (WIFSIGNALED(wait_status))
    r.error = std::string("the point's process was killed by signal ") + std::to_string(WTERMSIG(wait_status)) +
              " (" + strsignal(WTERMSIG(wait_status)) + ")";
  else
    r.error = "the point's process exited with status " + std::to_string(WEXITSTATUS(wait_status)) +
              " without a result";
  write_point_result(folder, p, r);
  return r;
}

PointResult run_point_isolated(const SweepPoint& p, const std::filesystem::path& folder) {
  const pid_t pid = start_point_process(p, folder);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
  return finish_point_process(p, folder, status);
}

}  // namespace cs
