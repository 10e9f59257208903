#pragma once
// Wires one serving pool: the workload's request stream (pulled one request at a time, one
// event per arrival, so memory does not grow with the trace) into a RequestRouter over replicas
// priced by LlmIterationCost, and an Autoscaler that builds replicas through a factory.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "sim/engine/engine.hpp"
#include "sim/engine/signal.hpp"
#include "sim/serving/autoscaler.hpp"
#include "sim/serving/llm_iteration_cost.hpp"
#include "sim/serving/request_router.hpp"
#include "sim/serving/serving_pool_spec.hpp"
#include "workloads/request_source.hpp"

namespace cs {

class ServingSystem {
 public:
  ServingSystem(Engine& engine, const ServingPoolSpec& spec, std::unique_ptr<RequestSource> source);
  ServingSystem(const ServingSystem&) = delete;
  ServingSystem& operator=(const ServingSystem&) = delete;

  // Emitted with the replica's GPU count just before a replica joins the pool (the metrics
  // start paying for it from this instant, booting or not).
  Signal<int> on_replica_created;

  // Co-location: the pool's GPUs come from a shared cluster. `acquire` is asked before each
  // replica is built (false: the GPUs cannot be had now); `release` is told when a replica has
  // stopped (drained or cancelled). Call before start().
  struct GpuLender {
    std::function<bool(std::uint32_t replica, int gpus)> acquire;
    std::function<void(std::uint32_t replica)> release;
  };
  void set_gpu_lender(GpuLender lender);

  // Builds the initial replicas (ready at once), starts the autoscaler and the arrivals;
  // requests arriving after `horizon` are not read.
  void start(Time horizon);
  // End of the run: everything queued or running is reported unfinished.
  void finish();

  const ServingPoolSpec& spec() const { return spec_; }
  RequestRouter& router() { return router_; }
  const RequestRouter& router() const { return router_; }
  const Autoscaler* autoscaler() const { return autoscaler_.get(); }
  const RequestSource& source() const { return *source_; }

 private:
  std::unique_ptr<Replica> make_replica(std::uint32_t id);
  void schedule_next_arrival();
  void arrive();

  Engine& engine_;
  ServingPoolSpec spec_;
  std::shared_ptr<const LlmIterationCost> cost_;
  RequestRouter router_;
  std::unique_ptr<Autoscaler> autoscaler_;
  std::unique_ptr<RequestSource> source_;
  GpuLender lender_;
  std::optional<InferenceRequest> next_;
  std::uint64_t next_id_ = 0;
  Time horizon_;
};

}  // namespace cs
