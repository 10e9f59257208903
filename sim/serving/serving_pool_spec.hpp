#pragma once
// One serving pool as a scenario describes it (plain data; sim/scenario/serving_loader fills
// it, the simulation builder turns it into a RequestRouter, replicas and an optional Autoscaler).
#include <optional>
#include <string>

#include "sim/cost/billing_spec.hpp"
#include "sim/hardware/gpu_spec.hpp"
#include "sim/llm/engine_profile.hpp"
#include "sim/llm/memory_model.hpp"
#include "sim/llm/model_precision.hpp"
#include "sim/llm/parallel_plan.hpp"
#include "sim/llm/transformer_spec.hpp"
#include "sim/llm/weight_streaming.hpp"
#include "sim/serving/autoscaler.hpp"
#include "sim/serving/replica.hpp"
#include "sim/serving/request_router.hpp"
#include "sim/serving/weight_loader.hpp"

namespace cs {

// Latency objectives a completed request must meet both of; zero: no objective on that one.
struct ServingSlo {
  Time ttft;
  Time tpot;
};

struct ServingPoolSpec {
  TransformerSpec model;
  GpuSpec gpu;
  ModelPrecision precision;
  ParallelPlan plan;                // tp, pp, ep (dp = ep: a replica's attention groups; replicas are the rest)
  EngineProfile engine;             // the serving engine's costs (configs/engines/<name>.yaml)
  ReplicaSpec replica;              // limits; gpus and KV sizes filled from the memory model
  // replica.weight_streaming where the weights leave too little KV cache: the layers each pass
  // copies from host memory (sim/llm/weight_streaming.hpp); none: every layer resident.
  std::optional<StreamingPlan> streaming;
  KvSizing kv_sizing;               // the engine's KV-cache budget (the pool's fraction, if given)
  int initial_replicas = 1;
  double usd_per_gpu_hour = 0;      // = billing.usd_per_gpu_hour
  BillingSpec billing;              // how the pool's GPUs are billed and powered
  RequestRouterSpec router;
  std::optional<AutoscalerSpec> autoscaler;  // none: initial_replicas for the whole run
  ServingSlo slo;
  // Among the pools serving the same model, this pool's part of that model's requests
  // (relative to the others' shares; one pool of a model takes all of them).
  double share = 1;
  // Booting replicas load their weights as flows on the topology from this source
  // (pool.autoscaler.weights_from; sim/serving/weight_loader.hpp); none: the autoscaler's
  // fixed weight_load delay, with no network.
  std::optional<WeightSource> weights_from;
  bool weights_prestaged = false;  // nvme_cache: every node's NVMe holds the model from the start
  std::string weights_where;       // "file:line:col: path" of weights_from, for checks against the topology
};

}  // namespace cs
