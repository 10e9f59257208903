#pragma once
// Adds and removes replicas of one pool from a load signal, the way a Kubernetes HPA or a
// cloud endpoint autoscaler does: every evaluation period it computes
//   desired = ceil(ready · metric / target)
// (proportional for load metrics — queue, concurrency, KV-cache use, utilization — whose value
// per replica falls as 1/ready when replicas are added; a TTFT percentile is not proportional:
// it stays near the prefill time until the pool saturates, then grows without bound, so a
// TTFT target over-orders in a spike and then drains the pool back into the queue)
// (no change while metric/target stays within 1 ± tolerance), clamps it to
// [min_replicas, max_replicas] and to what the provider's GPU capacity still allows, and
//   * scales up by creating replicas that are ready only after provisioning + weight loading;
//   * scales down by cancelling replicas still booting (newest first), then draining ready
//     ones (fewest outstanding first): a draining replica takes no new requests and stops
//     once those it holds are done, so scale-down loses nothing.
// Replicas still booting count toward the current size, so a signal that stays high while
// they boot does not order them a second time. Cooldowns space out successive actions.
// Replicas come from a factory, so the autoscaler knows nothing of the cost model.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/serving/replica.hpp"
#include "sim/serving/request_router.hpp"

namespace cs {

enum class ScalingMetric : std::uint8_t {
  kQueuePerReplica,  // requests waiting (router backlog + replica queues) per ready replica
  kUtilization,      // busy fraction of the ready replicas over the last evaluation period
  kTtftPercentile,   // q-quantile of the TTFTs of first tokens produced in the last window, s
  // Requests in the system (running + waiting at the router and the replicas) per ready
  // replica, against a target number of concurrent sequences per replica (Knative's and
  // KServe's concurrency target; vLLM exposes num_requests_running + num_requests_waiting).
  kConcurrency,
  // KV blocks in use / KV blocks of the ready replicas (vLLM's gpu_cache_usage_perc, what
  // KServe / llm-d autoscalers read), against a target fraction.
  kKvCache,
};
std::string_view scaling_metric_name(ScalingMetric metric);

struct AutoscalerSpec {
  ScalingMetric metric = ScalingMetric::kQueuePerReplica;
  double target = 1;            // in the metric's unit: requests, sequences, fraction (0, 1], or seconds
  double ttft_quantile = 0.99;  // kTtftPercentile
  Time ttft_window = Time::s(60);
  // kConcurrency and kKvCache: the mean of samples taken every `load_sample_period` over the
  // last `load_window` (Knative's autoscaler averages concurrency sampled each second over a
  // 60 s stable window); zero: the value at the evaluation instant.
  Time load_window;
  Time load_sample_period = Time::s(1);
  Time evaluation_period = Time::s(15);
  double tolerance = 0.1;
  Time provisioning_delay;                  // from the order to a booted machine
  Time weight_load_delay;                   // weights over the storage path into GPU memory
  Time scale_up_cooldown;                   // after any action, before the next scale-up
  Time scale_down_cooldown = Time::s(300);  // after any action, before the next scale-down
  // Scale-down damping, as Kubernetes' HorizontalPodAutoscaler behaviours do: a scale-down
  // goes only to the highest count recommended within the last `scale_down_stabilization`,
  // and removes at most this fraction of the active replicas per action (at least one).
  // A latency target reads low right after new replicas arrive; without damping the pool
  // drains straight back into the queue that made it grow.
  Time scale_down_stabilization;
  double max_scale_down_fraction = 1.0;
  int min_replicas = 1;
  int max_replicas = 1;
  int gpus_per_replica = 1;
  std::int64_t gpu_limit = 0;  // GPUs of this type the provider will give; 0: no limit
};

// Builds replica `id` (not started). Must give it spec().gpus == gpus_per_replica.
using ReplicaFactory = std::function<std::unique_ptr<Replica>(std::uint32_t id)>;
// Co-location: asked for the GPUs of replica `id` before it is built, when the pool's GPUs
// belong to a shared cluster; false when they cannot be had now (counted as a shortfall).
using GpuGrant = std::function<bool(std::uint32_t id, int gpus)>;
// Boots a replica the autoscaler ordered (added to the router, not started), in place of the
// fixed provisioning + weight_load delays: e.g. provisioning, then weights as flows.
using ReplicaBoot = std::function<void(Replica& replica, Time provisioning)>;

class Autoscaler {
 public:
  Autoscaler(Engine& engine, RequestRouter& router, const AutoscalerSpec& spec, ReplicaFactory factory);
  Autoscaler(const Autoscaler&) = delete;
  Autoscaler& operator=(const Autoscaler&) = delete;

  // Creates `initial` replicas (at least min_replicas, at most what max_replicas and the GPU
  // limit allow), ready at once, then evaluates every period up to `end`.
  void start(int initial, Time end);
  // Call before start(): every replica then needs the grant's yes, on top of gpu_limit.
  void set_gpu_grant(GpuGrant grant) { grant_ = std::move(grant); }
  // Call before start(): ordered replicas boot through `boot` (initial ones are still ready at
  // once); spec().weight_load_delay is then not used.
  void set_boot(ReplicaBoot boot) { boot_ = std::move(boot); }

  const AutoscalerSpec& spec() const { return spec_; }
  int desired() const { return desired_; }
  double last_metric() const { return last_metric_; }
  std::uint64_t replicas_added() const { return added_; }
  std::uint64_t replicas_removed() const { return removed_; }
  // Replicas wanted but refused by the provider's GPU capacity, summed over evaluations.
  std::uint64_t capacity_shortfall() const { return shortfall_; }

 private:
  void evaluate();
  void sample_load();
  double instant_load() const;
  bool measure(int ready, double& metric);
  int add_replicas(int count, bool boot);  // returns how many it added
  int remove_replicas(int count);          // returns how many it cancelled or drained

  Engine& engine_;
  RequestRouter& router_;
  AutoscalerSpec spec_;
  ReplicaFactory factory_;
  GpuGrant grant_;
  ReplicaBoot boot_;
  Time end_;
  Time last_action_ = Time::ns(INT64_MIN / 2);
  int desired_ = 0;
  double last_metric_ = 0;
  std::uint64_t added_ = 0, removed_ = 0, shortfall_ = 0;
  std::vector<double> busy_at_last_evaluation_;  // by replica id
  struct TtftSample {
    Time at;
    double ttft_s;
  };
  std::deque<TtftSample> ttfts_;
  struct LoadSample {
    Time at;
    double value;
  };
  std::deque<LoadSample> load_samples_;  // within load_window
  struct Recommendation {
    Time at;
    int replicas;
  };
  std::deque<Recommendation> recommendations_;  // within the stabilization window
  std::vector<double> scratch_;
};

}  // namespace cs
