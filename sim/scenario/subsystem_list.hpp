#pragma once
// The one list of the scenario's subsystems, in the order their sections are read and their
// models built, started and summarised: one that reads or uses another's comes after it
// (training after the network, whose topology is its inventory, and after serving, whose pools
// borrow its GPUs). A name `x` stands for two functions that the two layers expand it to:
//   void read_x_section(SectionInput&, Scenario&)            sim/scenario (its loader), and
//   std::unique_ptr<Subsystem> build_x_subsystem(SubsystemContext&)   sim/simulation/x_subsystem.cpp.
// Adding a subsystem is one `X(name)` here: load_scenario declares and calls every reader, the
// subsystem registry declares and lists every factory. (A list both layers expand, rather than
// self-registering statics: a static library's link drops objects nothing refers to.)
#define CLUSTERSIM_SUBSYSTEMS(X) \
  X(queueing)                    \
  X(serving)                     \
  X(network)                     \
  X(training)                    \
  /* (one line per subsystem, each ending in a backslash) */
