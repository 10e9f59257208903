#pragma once
// Running training jobs timed together on one topology. What two jobs can do to each other is
// in their inter-node traffic; the bulk of it is the DP gradient reduction.
//
// Pricing (at each re-time, like a serving replica at placement): the DP collectives of every
// running job (every DP group of every job, as they run in one iteration) are started at once
// as flows on a what-if FlowNetwork over the same topology, in its own engine (max-min fair
// sharing, sim/network), and each job's contended DP time is when its last group finishes;
// the rest of its iteration (compute, TP, PP, bubble, optimizer) comes from the
// TrainingIterationModel on the idle network. Worst case by construction: every job's
// reduction is assumed to coincide with the others'. Answers are cached by the running set
// (job id and GPUs of each job): the scheduler asks again whenever the set changes.
//
// Traffic (carry_on, the run's one Fabric): from each re-time on, every running job's traffic
// between nodes — its DP reduction and its pipeline hand-offs between stages on different nodes
// — is a standing flow class on the run's flow network at its time-average rate: its bytes per
// iteration on each link (from its DP collectives and its PP sends run alone on a what-if
// network: bytes and routes do not depend on contention, cached by job id and GPUs) over its
// iteration time. By the symmetry of DP groups (identical rings, shifted) a link carries a
// whole number of the least-loaded link's bytes, so the class's count on a link is its bytes
// in that unit (rounded to the nearest where a collective is not so regular) and one rate
// moves them all. There it shares links max-min with collective jobs and appears in the
// network's link timelines. TP groups stay inside a node (order_ranks), on NVLink, and are
// not carried.
//
// Pipeline hand-offs on the one network: a hand-off between nodes, while it runs, takes what
// max-min leaves it on its links, not the idle price. At each re-time (before the standing
// classes start again), every running job's hand-offs between nodes go on the carrying
// network as one flow class per job (each send a member, every boundary and both directions
// in flight at once: the same coincidence DP assumes), asking for what its links give it
// alone, a = min over its links of capacity / the job's own members there; the instant's
// rates are settled and each class's rate read, then the classes are stopped. What
// the network granted, g, is less only by others' traffic (other jobs' hand-offs, serving
// replicas, collective jobs), and each send of the job then takes bytes x (1/g - 1/a) longer
// than on the idle network (TrainingIterationModel::time_contended). Two jobs whose sends
// share an uplink get C/2 each: a bandwidth-bound hand-off takes twice as long. A job alone
// keeps its idle result exactly.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "sim/network/flow_class.hpp"
#include "sim/training/training_iteration.hpp"

namespace cs {

class NetworkSpeedModel : public JobSpeedModel {
 public:
  explicit NetworkSpeedModel(const Topology& topo, LinkEfficiency efficiency = {}, CollectiveTuning tuning = {},
                             CollectiveAlgorithm dp_algorithm = CollectiveAlgorithm::kRing);
  NetworkSpeedModel(const NetworkSpeedModel&) = delete;
  NetworkSpeedModel& operator=(const NetworkSpeedModel&) = delete;

  // Carries running jobs' DP traffic as standing flow classes on `network` (over the same
  // topology, on the run's engine) from the next re-time on.
  void carry_on(FlowNetwork& network);
  // The standing class of a running job's DP traffic on the carrying network (kNoFlow: none).
  FlowId standing_flow(std::uint64_t job_id) const;

  std::vector<IterationBreakdown> iterations(std::span<const RunningTrainingJob> running) override;

  // The same, with the full per-job results (MFU, tokens/s, ...).
  std::vector<TrainingIterationResult> results(std::span<const RunningTrainingJob> running);
  // Contended DP reduction seconds per job, in the order given (0 for dp = 1).
  std::vector<double> contended_dp_seconds(std::span<const RunningTrainingJob> running);

  std::uint64_t evaluations() const { return evaluations_; }  // cache misses

  // The full results of the last iterations() call, the carrying network's contention on
  // pipeline hand-offs included, in the order given.
  const std::vector<TrainingIterationResult>& last_results() const { return last_; }
  // A job's pipeline hand-off rate per send at the last re-time: alone on the links and as
  // granted on the carrying network (bytes/s); none when the job has no hand-off between
  // nodes or nothing carries traffic.
  struct HandoffRate {
    double alone = 0;
    double granted = 0;
  };
  std::optional<HandoffRate> handoff_rate(std::uint64_t job_id) const;

  // (link, bytes per iteration) of the job's carried traffic (DP reduction and PP hand-offs
  // between nodes), links it does not touch left out.
  const std::vector<std::pair<LinkId, double>>& carried_link_bytes(const RunningTrainingJob& job);
  // Running jobs' time-average traffic: job i at carried_link_bytes / iteration_s[i]; when
  // carried, the rates those links have on the carrying network now.
  struct LinkLoad {
    std::array<double, kLinkKindCount> kind_utilization{};  // bytes/s on the kind / its capacity
    std::vector<std::pair<LinkId, double>> busiest;         // (link, utilization), highest first
  };
  LinkLoad link_load(std::span<const RunningTrainingJob> running, std::span<const double> iteration_s, std::size_t top);
  // Achievable capacity (line rate x efficiency), as FlowNetwork counts it.
  double link_capacity(LinkId l) const;
  double kind_capacity(LinkKind kind) const { return kind_capacity_[static_cast<std::size_t>(kind)]; }
  // Link kinds with at least one link, in enum order.
  std::vector<LinkKind> link_kinds() const;
  const Topology& topology() const { return topo_; }

 private:
  struct Scratch;
  std::vector<double> run_dp(Scratch& scratch, std::span<const RunningTrainingJob> running) const;
  // The job's PP hand-offs between stages on different nodes, one iteration's worth, run on the
  // scratch network for the bytes they put on its links.
  void run_pp(Scratch& scratch, const RunningTrainingJob& job) const;
  // Every route of the job's hand-offs between nodes (both directions): the stage boundaries'
  // into `boundary`, interleaving's wrap from the last stage to the first into `wrap`.
  void add_handoffs(Router& router, const RunningTrainingJob& job, FlowClassLinks& boundary,
                    FlowClassLinks& wrap) const;
  // The job's hand-offs between nodes as one class on the topology's links (cached by job id
  // and GPUs; empty when none leaves a node), and a member's rate alone on them.
  struct HandoffClass {
    std::vector<FlowNetwork::ClassLink> links;
    double alone = 0;
  };
  const HandoffClass& handoff_class(const RunningTrainingJob& job);
  // Puts every running job's hand-off class on the carrier at once and re-times, in `timed`,
  // the jobs whose hand-offs it grants less than alone (the standing classes are off). Whether
  // any job had hand-offs between nodes.
  bool contend_handoffs(std::span<const RunningTrainingJob> running, std::vector<TrainingIterationResult>& timed);
  // The bytes a scratch run of `job`'s DP alone and then its PP hand-offs put on each link,
  // kept under the job's key (once).
  const std::vector<std::pair<LinkId, double>>& remember_link_bytes(const RunningTrainingJob& job, Scratch& scratch);
  void carry(std::span<const RunningTrainingJob> running, std::span<const TrainingIterationResult> timed);

  using Key = std::vector<std::pair<std::uint64_t, std::vector<VertexId>>>;
  static Key solo_key(const RunningTrainingJob& job);  // one job on its GPUs
  static constexpr std::size_t kCacheLimit = 256;
  // Relative shortfall of a granted rate that is floating-point rounding of the max-min filling
  // (sums and differences of link capacities), not contention.
  static constexpr double kRoundingTolerance = 1e-9;

  const Topology& topo_;
  LinkEfficiency efficiency_;
  CollectiveTuning tuning_;
  CollectiveAlgorithm dp_algorithm_;
  TrainingIterationModel model_;
  std::map<Key, std::vector<TrainingIterationResult>> cache_;
  std::map<Key, std::vector<std::pair<LinkId, double>>> link_bytes_cache_;
  std::array<double, kLinkKindCount> kind_capacity_{};
  std::uint64_t evaluations_ = 0;
  FlowNetwork* carrier_ = nullptr;
  std::map<std::uint64_t, FlowId> standing_;  // job id -> its carried traffic on carrier_
  std::map<Key, HandoffClass> handoff_cache_;
  std::map<std::uint64_t, HandoffRate> handoff_rates_;  // job id -> at the last re-time
  std::vector<TrainingIterationResult> last_;
};

}  // namespace cs
