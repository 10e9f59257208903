#pragma once
// A model of the scenario with its listeners, as the run loop sees it: built from its scenario
// section (or absent), started, finished at the run's end, and asked for its /summary. The
// registry (subsystem_registry.cpp) lists every subsystem in the order they are built,
// started and summarised; one that uses another's model comes after it (co-location: training
// after serving, whose pools borrow the cluster's GPUs). Adding a model touches its own folder,
// its loader and its entry in that list.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/engine/time.hpp"
#include "sim/io/run_file.hpp"
#include "sim/metrics/timeline_sampler.hpp"
#include "sim/network/fabric.hpp"
#include "sim/scenario/scenario.hpp"

namespace cs {

class ServingCluster;
class NetworkWorkload;
class TrainingSystem;

// What a subsystem is built from: the run's shared parts, and the models earlier subsystems
// offer later ones (each set by its own subsystem; null where the scenario has none).
struct SubsystemContext {
  SubsystemContext(const Scenario& s, Engine& e, TimelineSampler& t, RunFile& o)
      : scenario(s), engine(e), sampler(t), out(o) {}
  const Scenario& scenario;
  Engine& engine;
  TimelineSampler& sampler;
  RunFile& out;
  Fabric* fabric = nullptr;  // the run's one network: with a `topology:`
  // Called once when a finite serving workload has every outcome (`horizon: drain`).
  std::function<void()> drained;
  ServingCluster* serving = nullptr;
  NetworkWorkload* collectives = nullptr;
  TrainingSystem* training = nullptr;
};

class Subsystem {
 public:
  virtual ~Subsystem() = default;
  // Schedules the model's first events; nothing after `horizon` is read.
  virtual void start(Time horizon) = 0;
  // At the run's end (`end`: the horizon, or the drained makespan), before the summaries:
  // what is still queued or running is reported.
  virtual void finish() {}
  virtual void write_summary(RunFile& out, Time end) = 0;
  // Lines for stderr about work the run lost that a reader of the summary may miss.
  virtual std::vector<std::string> warnings() const { return {}; }
};

// Builds the subsystem from ctx.scenario, or returns null where the scenario has no section
// for it. Throws ConfigError for input only building finds.
using SubsystemFactory = std::unique_ptr<Subsystem> (*)(SubsystemContext& ctx);

struct SubsystemEntry {
  const char* name;
  SubsystemFactory build;
};

// Every subsystem, in dependency order.
const std::vector<SubsystemEntry>& subsystem_registry();

// Builds every subsystem the scenario asks for, in the registry's order.
std::vector<std::unique_ptr<Subsystem>> build_subsystems(SubsystemContext& ctx);

}  // namespace cs
