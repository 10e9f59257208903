#pragma once
// Every serving pool of a scenario and the request streams that feed them. Each stream is
// pulled one request at a time (one pending arrival event per stream, so memory does not grow
// with the traces); at its arrival a request is numbered (one sequence across all streams)
// and a PoolSelector sends it to a pool serving the model it names, by the pools' shares. A
// request naming a model no pool serves is refused here, reported once through
// on_unroutable, never lost. With a topology, every pool's replicas take GPUs from one shared
// GpuLedger, so pools never share a GPU. In co-location (borrow_from) that ledger is the
// training cluster's, where each replica holds the GPUs lent for it: one ledger per run.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/engine/signal.hpp"
#include "sim/serving/pool_selector.hpp"
#include "sim/serving/serving_request.hpp"
#include "sim/serving/weight_loader.hpp"
#include "sim/serving/kv_transfer.hpp"
#include "sim/simulation/serving_system.hpp"
#include "workloads/request_source.hpp"

namespace cs {

class KvHandoff;
class TrainingSystem;

class ServingCluster {
 public:
  ServingCluster(Engine& engine, const std::vector<const ServingPoolSpec*>& pools,
                 std::vector<std::unique_ptr<RequestSource>> streams, PoolSplit split,
                 Fabric* fabric = nullptr, const DisaggregationSpec* disaggregation = nullptr);
  ~ServingCluster();
  ServingCluster(const ServingCluster&) = delete;
  ServingCluster& operator=(const ServingCluster&) = delete;

  // A request no pool could take (its outcome has status kRejected and no replica).
  Signal<const RequestOutcome&> on_unroutable;
  // Once, when every stream is exhausted (or past the horizon) and every request read has its
  // outcome: what `horizon: drain` stops the run at.
  Signal<> on_drained;

  // Starts every pool, then the arrivals; requests arriving after `horizon` are not read.
  void start(Time horizon);
  // End of the run: everything queued or running is reported unfinished.
  void finish();

  // Co-location: every pool's replicas borrow their GPUs from the training cluster (its
  // lender(pool)), and the cluster's ledger replaces this one's. Call before start().
  void borrow_from(TrainingSystem& training);
  // Who holds each GPU the pools draw from (the topology's, or the training cluster's in
  // co-location); null without a topology.
  const GpuLedger* ledger() const { return ledger_; }

  std::size_t size() const { return pools_.size(); }
  ServingSystem& pool(std::size_t i) { return *pools_[i]; }
  const ServingSystem& pool(std::size_t i) const { return *pools_[i]; }
  std::uint64_t unroutable() const { return unroutable_; }
  const std::string& first_unroutable_model() const { return first_unroutable_model_; }
  // Malformed trace rows skipped over all streams.
  std::uint64_t skipped_rows() const;
  // The weight loads of pools with `weights_from` (null when no pool has it).
  WeightLoader* weight_loader() { return weights_.get(); }
  // With `disaggregation`: the prefill pool's requests go on to the decode pool through it.
  KvHandoff* handoff() { return handoff_.get(); }
  const KvHandoff* handoff() const { return handoff_.get(); }

 private:
  struct Stream {
    std::unique_ptr<RequestSource> source;
    std::optional<InferenceRequest> next;
  };
  void schedule_next_arrival(std::size_t stream);
  void arrive(std::size_t stream);
  void outcome_known();

  Engine& engine_;
  std::unique_ptr<GpuLedger> own_ledger_;  // with a topology and no training cluster: who holds its GPUs
  const GpuLedger* ledger_ = nullptr;      // own_ledger_, or the training cluster's
  std::unique_ptr<WeightLoader> weights_;  // with a topology and a pool loading weights as flows
  std::vector<std::unique_ptr<ServingSystem>> pools_;
  std::vector<std::size_t> selectable_;  // the selector's pools by its index: all but a decode pool
  std::unique_ptr<KvHandoff> handoff_;
  std::vector<Stream> streams_;
  PoolSelector selector_;
  std::uint64_t next_id_ = 0;
  std::uint64_t unroutable_ = 0;
  std::uint64_t outcomes_ = 0;  // requests with their outcome
  bool drained_ = false;
  std::string first_unroutable_model_;
  Time horizon_;
};

}  // namespace cs
