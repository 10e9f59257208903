#pragma once
// Running training jobs timed together on one topology. What two jobs can do to each other is
// in their inter-node traffic; the bulk of it is the DP gradient reduction. So the DP
// collectives of every running job (every DP group of every job, as they run in one iteration)
// are started at once as flows on a scratch FlowNetwork over the shared topology (max-min fair
// sharing, sim/network), and each job's contended DP time is when its last group finishes;
// the rest of its iteration (compute, TP, PP, bubble, optimizer) comes from the
// TrainingIterationModel on the idle network. Worst case by construction: every job's
// reduction is assumed to coincide with the others'.
//
// Answers are cached by the running set (job id and GPUs of each job): the scheduler asks
// again whenever the set changes, and the same set is priced once.
#include <cstdint>
#include <map>
#include <vector>

#include "sim/training/training_iteration.hpp"

namespace cs {

class NetworkSpeedModel : public JobSpeedModel {
 public:
  explicit NetworkSpeedModel(const Topology& topo, LinkEfficiency efficiency = {}, CollectiveTuning tuning = {},
                             CollectiveAlgorithm dp_algorithm = CollectiveAlgorithm::kRing);

  std::vector<IterationBreakdown> iterations(std::span<const RunningTrainingJob> running) override;

  // The same, with the full per-job results (MFU, tokens/s, ...).
  std::vector<TrainingIterationResult> results(std::span<const RunningTrainingJob> running);
  // Contended DP reduction seconds per job, in the order given (0 for dp = 1).
  std::vector<double> contended_dp_seconds(std::span<const RunningTrainingJob> running);

  std::uint64_t evaluations() const { return evaluations_; }  // cache misses

 private:
  using Key = std::vector<std::pair<std::uint64_t, std::vector<VertexId>>>;
  static constexpr std::size_t kCacheLimit = 256;

  const Topology& topo_;
  LinkEfficiency efficiency_;
  CollectiveTuning tuning_;
  CollectiveAlgorithm dp_algorithm_;
  TrainingIterationModel model_;
  std::map<Key, std::vector<TrainingIterationResult>> cache_;
  std::uint64_t evaluations_ = 0;
};

}  // namespace cs
