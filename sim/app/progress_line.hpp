#pragma once
// The one-line progress display on stderr: simulated time / horizon, events per wall second,
// and the estimated time left. Shown only when stderr is a terminal, so logs and pipes stay
// clean.
#include "sim/simulation/simulation.hpp"

namespace cs {

class ProgressLine {
 public:
  explicit ProgressLine(bool enabled);
  ~ProgressLine();
  void update(const ProgressReport& r);
  // Ends the line (once) so that what is printed next starts on its own line.
  void finish();

 private:
  bool enabled_;
  bool drawn_ = false;
  double last_draw_wall_s_ = -1;
};

}  // namespace cs
