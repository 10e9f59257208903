#pragma once
// The scenario's collective jobs as a model: runs them (each a stream of instances that never
// overlaps itself) on the run's one Fabric, beside whatever else moves bytes there. Listeners
// read link utilization and finished collectives from here.
#include <memory>
#include <unordered_map>
#include <vector>

#include "sim/engine/signal.hpp"
#include "sim/network/collectives.hpp"
#include "sim/network/fabric.hpp"
#include "sim/network/network_spec.hpp"

namespace cs {

class NetworkWorkload {
 public:
  NetworkWorkload(Fabric& fabric, const NetworkSpec& spec);
  ~NetworkWorkload();
  NetworkWorkload(const NetworkWorkload&) = delete;
  NetworkWorkload& operator=(const NetworkWorkload&) = delete;

  // Schedules every job's instances that start before `horizon`.
  void start(Time horizon);

  const NetworkSpec& spec() const { return spec_; }
  const Topology& topology() const { return fabric_.topology(); }
  FlowNetwork& network() { return fabric_.network(); }
  const FlowNetwork& network() const { return fabric_.network(); }
  Collectives& collectives() { return fabric_.collectives(); }
  std::vector<VertexId> group_of(const CollectiveJobSpec& job) const;

  // A finished collective and the index of its job in spec().jobs.
  Signal<const CollectiveRecord&, std::size_t> on_collective;
  std::uint64_t started() const { return started_; }

  // The links the timeline should follow: the busiest when one instance of every job runs
  // alone on an idle copy of the network (deterministic, known before the run starts).
  std::vector<LinkId> probe_busiest_links(std::size_t k) const;
  // Link kinds with at least one link, in enum order.
  std::vector<LinkKind> link_kinds() const;

 private:
  void launch(std::size_t job);

  Engine& engine_;
  Fabric& fabric_;
  NetworkSpec spec_;
  std::unordered_map<std::uint64_t, std::size_t> job_of_;
  std::vector<Time> last_start_;
  std::vector<std::int64_t> launched_;
  Time horizon_;
  std::uint64_t started_ = 0;
};

}  // namespace cs
