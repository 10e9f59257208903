#pragma once
// Wires one serving pool: a RequestRouter over replicas priced by LlmIterationCost, and an
// Autoscaler that builds replicas through a factory. Requests come from a ServingCluster,
// which pulls the workload streams and picks the pool of each request.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/engine/signal.hpp"
#include "sim/metrics/weight_streaming_metrics.hpp"
#include "sim/serving/autoscaler.hpp"
#include "sim/serving/llm_iteration_cost.hpp"
#include "sim/serving/request_router.hpp"
#include "sim/serving/serving_pool_spec.hpp"
#include "topology/topology_graph.hpp"
#include "workloads/inference_request.hpp"

namespace cs {

class Fabric;
class ReplicaPlacement;
class ReplicaTraffic;
class HostStream;
class GpuLedger;
class WeightLoader;

class ServingSystem {
 public:
  // With the run's `fabric` (the scenario has a topology), replicas are placed on its GPUs and
  // their TP/PP communication is priced there at placement (ReplicaPlacement, through the
  // fabric's cost model: the links' load at that instant, collective jobs' and training's);
  // the topology's GPUs then also bound the pool. Without one, on the GPU-link estimate. A
  // replica whose GPUs span nodes carries its inter-node traffic on the fabric's flow network
  // while busy, is priced on the fabric's idle cost model instead (its own traffic is in that
  // price), and its collectives slow by what max-min sharing leaves it (replica_traffic.hpp).
  // `ledger`: who holds each of the topology's GPUs, shared by every pool on it (null: this
  // pool alone); a replica whose GPUs cannot be had is refused (the autoscaler counts a
  // capacity shortfall).
  // `weights`: with spec.weights_from, the run's WeightLoader: replicas the autoscaler orders
  // are provisioned, then wait in kLoadingWeights for their weights as flows on the fabric
  // (bytes per GPU from the memory model for the pool's TP/PP) instead of a fixed delay.
  ServingSystem(Engine& engine, const ServingPoolSpec& spec, Fabric* fabric = nullptr,
                GpuLedger* ledger = nullptr, WeightLoader* weights = nullptr);
  ~ServingSystem();
  ServingSystem(const ServingSystem&) = delete;
  ServingSystem& operator=(const ServingSystem&) = delete;

  // Emitted with the replica's GPU count just before a replica joins the pool (the metrics
  // start paying for it from this instant, booting or not).
  Signal<int> on_replica_created;
  // Emitted as a replica is built with the GPUs its communication is priced on (topology
  // vertices, stage by stage), or the GPUs lent for it without a topology.
  Signal<std::uint32_t /*replica*/, std::span<const VertexId>> on_replica_placed;

  // Co-location: the pool's GPUs come from a shared cluster. `acquire` is asked before each
  // replica is built, for `gpus` GPUs in whole TP groups of `group` on one node where it can;
  // it answers the GPUs it lent (topology vertices, or the cluster's GPU indices without a
  // topology), in the loan's order, which the replica's communication is then priced on
  // (empty: the GPUs cannot be had now). `release` is told when a replica has stopped
  // (drained or cancelled). The pool's placement then leaves every GPU to the lender (its
  // ledger is the lender's). Call before start().
  struct GpuLender {
    std::function<std::vector<VertexId>(std::uint32_t replica, int gpus, int group)> acquire;
    std::function<void(std::uint32_t replica)> release;
    // The lender ends a replica's loan itself (a node of its GPUs failed): the replica drains
    // (takes no new requests; the ones it holds finish — the failure kills them on a real
    // node, a simplification) and the autoscaler replaces it. May be null.
    Signal<std::uint32_t /*replica*/>* revoked = nullptr;
  };
  void set_gpu_lender(GpuLender lender);

  // Builds the initial replicas (ready at once) and starts the autoscaler.
  void start(Time horizon);
  // A request arriving now, numbered `id` (unique across the pools of a run); `phase`:
  // kPrefillOnly in the prefill pool of a disaggregated deployment.
  void submit(const InferenceRequest& request, std::uint64_t id, RequestPhase phase = RequestPhase::kWhole);
  // End of the run: everything queued or running is reported unfinished.
  void finish();

  const ServingPoolSpec& spec() const { return spec_; }
  RequestRouter& router() { return router_; }
  const RequestRouter& router() const { return router_; }
  const Autoscaler* autoscaler() const { return autoscaler_.get(); }
  const ReplicaPlacement* placement() const { return placement_.get(); }
  // The GPUs replica `id` was placed on (empty before it is built, or without a topology
  // and a lender).
  std::span<const VertexId> gpus_of_replica(std::uint32_t id) const;
  // Passes priced with streamed layers (spec().streaming) and the host rates they got.
  const StreamingPasses& streaming_passes() const { return *streaming_passes_; }

 private:
  // The GPUs of the next replica, `id`, reserved now (from the lender, else a placement
  // slot); false when they cannot be had.
  bool reserve_gpus(std::uint32_t id);
  // Weights as flows: a replica entering kLoadingWeights begins its load; one stopped while
  // loading gives it up.
  void load_weights(Replica& replica);
  void replica_state_changed(const Replica& replica, ReplicaState previous);
  // A peer has stopped: the loads it fed continue from another source.
  void resource_loads_from(std::uint32_t stopped);
  const Replica* choose_peer(std::uint32_t replica) const;
  // The chosen peer's GPUs, its upload counted; `peer`: its id, -1 (and no GPUs) without one.
  std::span<const VertexId> take_peer(std::uint32_t replica, std::int64_t& peer);
  std::unique_ptr<Replica> make_replica(std::uint32_t id);
  // A replica's host-memory copy rate (swap and the KV host tier) on its GPUs' host links.
  double host_copy_bytes_per_s(std::span<const VertexId> gpus) const;
  // A replica on GPUs of several nodes: its iterations drive its traffic on the fabric.
  void carry_traffic(Replica& replica, std::shared_ptr<ReplicaTraffic> traffic);
  // A streaming replica on the topology: its layer copies on its host links while it iterates.
  void carry_stream(Replica& replica, std::shared_ptr<HostStream> stream);
  // The pool's copies priced at the streaming plan's rate (no topology), counted.
  CommunicationCost plan_rate_copies(const ServingPoolSpec& spec);

  Engine& engine_;
  ServingPoolSpec spec_;
  std::shared_ptr<StreamingPasses> streaming_passes_ = std::make_shared<StreamingPasses>();
  std::shared_ptr<const LlmIterationCost> cost_;
  Fabric* fabric_ = nullptr;
  std::unique_ptr<ReplicaPlacement> placement_;
  std::vector<std::shared_ptr<ReplicaTraffic>> traffic_;  // by replica id, null: none carried
  std::vector<std::shared_ptr<HostStream>> streams_;      // by replica id, null: not streaming
  std::vector<int> slot_of_;                    // by replica id, -1: none
  std::vector<std::vector<VertexId>> gpus_of_;  // by replica id
  RequestRouter router_;
  std::unique_ptr<Autoscaler> autoscaler_;
  GpuLender lender_;
  WeightLoader* weights_ = nullptr;  // null: fixed weight_load delays
  std::string weights_key_;           // the model and its weight format: what a node's cache holds
  double weight_bytes_per_gpu_ = 0;
  struct BootLoad {
    std::int64_t load = -1;  // the load in flight, -1: none
    std::int64_t peer = -1;  // the replica feeding it, -1: none
  };
  std::vector<BootLoad> load_of_;      // by replica id
  std::vector<int> uploads_of_;        // by replica id: loads it feeds as a peer now
};

}  // namespace cs
