#pragma once
// `plan`: for every candidate configuration, the least capacity (knob value) that meets every
// SLO on every seed. Candidates that cannot load (a plan that does not fit in memory, an
// unknown name) or whose throughput bound is above the search range are pruned without a
// simulation. The rest are searched together in rounds: each round simulates a few knob
// values per candidate spread over the interval still open (between the highest value known
// to miss and the lowest known to meet), all candidates' points at once through the sweep
// machinery (child processes or MPI ranks), until every interval is one step wide. When the
// answer is the analytical bound itself, the value just below is simulated too, so a bound
// that was too tight is caught rather than trusted. The rounds do not depend on how many
// points run at once, so -j and MPI give the same answer.
#include <map>
#include <string>
#include <vector>

#include "sim/planning/capacity_bound.hpp"
#include "sim/planning/capacity_plan_spec.hpp"
#include "sim/planning/point_launcher.hpp"

namespace cs {

// One configuration (a candidate at one knob value) judged over every seed: worst cases.
struct ConfigOutcome {
  int value = 0;
  bool meets = false;
  std::vector<std::string> violations;  // "p99 TTFT 3.41 s > 2 s (seed 2)", or why a point failed
  std::map<std::string, double> worst;  // per SLO name: the worst value over the seeds
  double cost_usd = 0;                  // the highest over the seeds
  double usd_per_1k_tokens = 0;
  double gpus = 0;  // peak GPUs held
  std::vector<std::string> run_files;
};

struct CandidateOutcome {
  enum class Status { kPruned, kMeets, kNeverMeets };
  std::string label;  // "gpu=h100-sxm tp=4"
  std::vector<Setting> settings;
  Status status = Status::kNeverMeets;
  std::string reason;  // pruned: why
  ReplicaBound bound;
  int answer = -1;                          // the least knob value that meets
  std::map<int, ConfigOutcome> evaluated;  // by knob value
};

struct CapacityPlanResult {
  WorkloadPeak peak;
  std::vector<CandidateOutcome> candidates;
  std::size_t points_run = 0;
  int rounds = 0;
  std::string quality_slo;  // the SLO the cost/quality Pareto frontier is drawn against
};

CapacityPlanResult run_capacity_plan(const CapacityPlanSpec& spec, PointLauncher& launcher, bool progress);

// A short label for a candidate's settings: the last path component where that is unique.
std::string candidate_label(const std::vector<Setting>& settings);

}  // namespace cs
