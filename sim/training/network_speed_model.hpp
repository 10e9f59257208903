#pragma once
// Running training jobs timed together on the run's one flow network (the Fabric's). What two
// jobs can do to each other is in their inter-node traffic: the DP gradient reduction, the
// pipeline hand-offs between nodes; serving replicas, collective jobs and weight loads on the
// same links take their max-min share of it too.
//
// A job alone (results): its iteration from the TrainingIterationModel, the DP reduction priced
// by the collective cost model for one DP group (latency terms included), plus what its own
// DP groups take from each other where they share a link: the class's time alone on its
// links (unit / alone, below) less one group's busiest link's bytes / capacity. Cached by job
// id and GPUs.
//
// DP reductions on the one network (iterations, at each re-time): every running job's DP
// reduction is one flow class on the carrying network (dp_traffic.hpp gives each link's wire
// bytes per iteration over all its DP groups; by the symmetry of DP groups, identical rings
// shifted, a link carries a whole number of the least-loaded link's bytes, `unit`, so the
// class's count on a link is its bytes in that unit, rounded where a collective is not so
// regular). With the standing classes off, every job's class asks for what its links give it
// alone, a = min over its links of capacity / count; the instant's rates are settled with
// everything else on the network (other jobs' DP classes, serving replicas, collective jobs,
// weight loads), each class's granted rate g read and the classes stopped. The reduction then
// takes unit x (1/g - 1/a) longer than alone: the bandwidth term at the granted rate instead
// of the idle one, the latency terms kept. Two jobs whose rings share one uplink each get C/2:
// the bandwidth term doubles. Worst case by construction: every job's reduction is assumed to
// coincide with the others'. A job alone keeps its result exactly (g = a).
//
// Pipeline hand-offs on the one network: likewise, after the DP round, one flow class per job
// (each send a member, every boundary and both directions in flight at once), asking for a =
// min over its links of capacity / the job's own members there; the granted g is less only by
// others' traffic (other jobs' hand-offs, serving replicas, collective jobs), and each send of
// the job takes bytes x (1/g - 1/a) longer than on the idle network
// (TrainingIterationModel::time_contended). The two rounds are apart: a job's hand-offs run
// inside its pipeline, its reduction behind the last backward, so they do not meet.
//
// Traffic (carry_on): from each re-time on, every running job's traffic between nodes (its DP
// reduction's and its hand-offs' bytes per iteration on each link, counted from their routes)
// is a standing flow class on the carrying network at its time-average rate: bytes over its
// iteration time, in the least-loaded link's unit as above. There it shares links max-min with
// collective jobs and serving replicas and appears in the network's link timelines. TP groups
// stay inside a node (order_ranks), on NVLink, and are not carried.
//
// Routes: a job's classes are routed once, when it first runs (cached with its classes), as
// the fabric routes any flow: statically, or under adaptive routing on the load the one network
// carries at that moment, each DP group after the ones before it.
//
// Without a carrying network (carry_on not called) jobs are timed alone.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "sim/network/fabric.hpp"
#include "sim/network/flow_class.hpp"
#include "sim/training/training_iteration.hpp"

namespace cs {

class NetworkSpeedModel : public JobSpeedModel {
 public:
  // Jobs timed alone (no carrying network), collectives priced on an idle copy of the network.
  explicit NetworkSpeedModel(const Topology& topo, LinkEfficiency efficiency = {}, CollectiveTuning tuning = {},
                             CollectiveAlgorithm dp_algorithm = CollectiveAlgorithm::kRing);
  // A run's: jobs timed and carried on the fabric's one network (carry_on), collectives priced
  // on its idle cost model. The fabric must outlive it.
  NetworkSpeedModel(Fabric& fabric, CollectiveAlgorithm dp_algorithm);
  NetworkSpeedModel(const NetworkSpeedModel&) = delete;
  NetworkSpeedModel& operator=(const NetworkSpeedModel&) = delete;

  // Times running jobs on `network` (the run's one network, over the same topology) and
  // carries their traffic there as standing flow classes, from the next re-time on.
  void carry_on(FlowNetwork& network);
  // The standing class of a running job's DP traffic on the carrying network (kNoFlow: none).
  FlowId standing_flow(std::uint64_t job_id) const;

  std::vector<IterationBreakdown> iterations(std::span<const RunningTrainingJob> running) override;

  // Each job's full result (MFU, tokens/s, ...) alone on the network, in the order given.
  std::vector<TrainingIterationResult> results(std::span<const RunningTrainingJob> running);

  std::uint64_t evaluations() const { return evaluations_; }  // cache misses of results()

  // The full results of the last iterations() call, the carrying network's contention on DP
  // reductions and pipeline hand-offs included, in the order given.
  const std::vector<TrainingIterationResult>& last_results() const { return last_; }
  // A member's rate of a job's class at the last re-time: alone on its links and as granted on
  // the carrying network (bytes/s); none when the job has no such traffic or nothing carries
  // it. handoff_rate: one send of its pipeline hand-offs between nodes; dp_rate: its DP
  // reduction's class (`unit` bytes per member and iteration).
  struct ClassRate {
    double alone = 0;
    double granted = 0;
  };
  std::optional<ClassRate> handoff_rate(std::uint64_t job_id) const;
  std::optional<ClassRate> dp_rate(std::uint64_t job_id) const;

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
  void sum_kind_capacities();
  // Every route of the job's hand-offs between nodes (both directions), each routed once: the
  // stage boundaries' into `boundary`, interleaving's wrap from the last stage to the first
  // into `wrap`, and both into `all`.
  void add_handoffs(const RunningTrainingJob& job, FlowClassLinks& boundary, FlowClassLinks& wrap,
                    FlowClassLinks& all);
  // The job's hand-offs between nodes as one class on the topology's links (cached by job id
  // and GPUs; empty when none leaves a node), and a member's rate alone on them. Its boundary
  // and wrap parts give the bytes it carries; routed once, they are the class's own links
  // under adaptive routing too.
  struct HandoffClass {
    std::vector<FlowNetwork::ClassLink> links, boundary, wrap;
    double alone = 0;
  };
  const HandoffClass& handoff_class(const RunningTrainingJob& job);
  // The job's DP reduction as one class (cached by job id and GPUs; empty for dp x cp = 1).
  struct DpClass {
    std::vector<std::pair<LinkId, double>> link_bytes;  // wire bytes per iteration, all groups
    std::vector<FlowNetwork::ClassLink> links;          // in units of the least-loaded link's bytes
    double unit = 0;                                    // bytes per member per iteration
    double alone = 0;                                   // a member's rate alone on its links
    double own_sharing_s = 0;  // unit / alone less one group's busiest link's bytes / capacity
  };
  const DpClass& dp_class(const RunningTrainingJob& job);
  // One round of probes on the carrier: each job's class (none where `links` is empty) asking
  // for its rate alone, settled together with everything else there, then stopped. Each
  // job's rates go into `rates` (by job id); returns each job's extra seconds per byte a member
  // moves, 1/g - 1/a (0 where nothing else holds it back, or it has no class).
  struct Probe {
    std::span<const FlowNetwork::ClassLink> links;
    double alone = 0;
  };
  std::vector<double> probe(std::span<const RunningTrainingJob> running, std::span<const Probe> probes,
                            std::map<std::uint64_t, ClassRate>& rates);
  // Re-times, in `timed`, the jobs whose DP classes or hand-offs the carrier grants less than
  // alone (the standing classes are off). Whether any probe went on the carrier.
  bool contend(std::span<const RunningTrainingJob> running, std::vector<TrainingIterationResult>& timed);
  void carry(std::span<const RunningTrainingJob> running, std::span<const TrainingIterationResult> timed);

  using Key = std::vector<std::pair<std::uint64_t, std::vector<VertexId>>>;
  static Key solo_key(const RunningTrainingJob& job);  // one job on its GPUs
  static constexpr std::size_t kCacheLimit = 256;
  // Relative shortfall of a granted rate that is floating-point rounding of the max-min filling
  // (sums and differences of link capacities), not contention.
  static constexpr double kRoundingTolerance = 1e-9;

  const Topology& topo_;
  LinkEfficiency efficiency_;
  TrainingIterationModel model_;
  Router router_;  // routes of the jobs' traffic, for its links
  std::map<Key, TrainingIterationResult> cache_;
  std::map<Key, std::vector<std::pair<LinkId, double>>> link_bytes_cache_;
  std::array<double, kLinkKindCount> kind_capacity_{};
  std::uint64_t evaluations_ = 0;
  FlowNetwork* carrier_ = nullptr;
  std::map<std::uint64_t, FlowId> standing_;  // job id -> its carried traffic on carrier_
  std::map<Key, HandoffClass> handoff_cache_;
  std::map<Key, DpClass> dp_cache_;
  std::map<std::uint64_t, ClassRate> handoff_rates_;  // job id -> at the last re-time
  std::map<std::uint64_t, ClassRate> dp_rates_;
  std::vector<TrainingIterationResult> last_;
};

}  // namespace cs
