#include "sim/app/progress_line.hpp"

#include <unistd.h>

#include <cstdio>

namespace cs {

ProgressLine::ProgressLine(bool enabled) : enabled_(enabled && isatty(STDERR_FILENO)) {}

ProgressLine::~ProgressLine() { finish(); }

void ProgressLine::finish() {
  if (drawn_) std::fputs("\n", stderr);
  drawn_ = false;
}

void ProgressLine::update(const ProgressReport& r) {
  if (!enabled_) return;
  // Redraw at most 5 times a second; the terminal is slower than the simulator.
  if (last_draw_wall_s_ >= 0 && r.wall_s - last_draw_wall_s_ < 0.2 && r.now < r.horizon) return;
  last_draw_wall_s_ = r.wall_s;
  const double done = r.horizon.count_ns() > 0 ? r.now.seconds() / r.horizon.seconds() : 1.0;
  const double rate = r.wall_s > 0 ? static_cast<double>(r.events) / r.wall_s : 0.0;
  const double eta = done > 0 ? r.wall_s * (1 - done) / done : 0.0;
  std::fprintf(stderr, "\r  sim %s / %s  (%5.1f%%)  %.2f M events/s  ETA %.0f s   ", format_duration(r.now).c_str(),
               format_duration(r.horizon).c_str(), 100 * done, rate / 1e6, eta);
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace cs
