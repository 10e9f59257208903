#include "sim/scenario/serving_loader.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/llm/transformer_cost.hpp"
#include "sim/scenario/billing_reader.hpp"
#include "sim/scenario/disaggregation_loader.hpp"
#include "sim/scenario/engine_loader.hpp"
#include "sim/scenario/spec_refusal.hpp"
#include "sim/scenario/gpu_catalog_loader.hpp"
#include "sim/scenario/section_input.hpp"
#include "sim/scenario/workload_loader.hpp"
#include "sim/queueing/server_pool.hpp"
#include "sim/serving/llm_iteration_cost.hpp"
#include "sim/serving/serving_spec_checks.hpp"

namespace cs {

namespace {

Dtype read_dtype(MapReader& r, std::string_view key, Dtype fallback) {
  if (!r.has(key)) return fallback;
  const std::string text = r.string(key);
  if (auto d = parse_dtype(text)) return *d;
  r.fail(key, "unknown number format '" + text + "'; expected bf16, fp16, fp32, tf32, fp8, int8 or int4");
}

}  // namespace

void read_replica_limits(MapReader r, ReplicaSpec& s) {
  s.max_num_seqs = static_cast<int>(r.integer_or("max_num_seqs", s.max_num_seqs));
  r.check_range("max_num_seqs", s.max_num_seqs, 1, 1'000'000);
  s.max_batched_tokens = r.integer_or("max_batched_tokens", s.max_batched_tokens);
  r.check_range("max_batched_tokens", static_cast<double>(s.max_batched_tokens), 1, 1e9);
  s.scheduler = r.choice_or<SchedulerMode>("scheduler",
                                           {{"vllm_v0", SchedulerMode::kVllmV0},
                                            {"vllm_v1", SchedulerMode::kVllmV1},
                                            {"sglang", SchedulerMode::kVllmV1},
                                            {"trtllm_max_utilization", SchedulerMode::kTrtllmMaxUtilization},
                                            {"trtllm_no_evict", SchedulerMode::kTrtllmNoEvict},
                                            {"orca", SchedulerMode::kOrca}},
                                           s.scheduler);
  s.chunked_prefill = r.boolean_or("chunked_prefill", s.chunked_prefill);
  s.preemption = r.choice_or<PreemptionMode>(
      "preemption", {{"recompute", PreemptionMode::kRecompute}, {"swap", PreemptionMode::kSwap}}, s.preemption);
  s.kv_watermark = r.quantity_or("kv_watermark", Dimension::kRatio, s.kv_watermark);
  if (!(s.kv_watermark >= 0 && s.kv_watermark < 1)) r.fail("kv_watermark", "the KV watermark must be in [0, 100%)");
  s.prefill_chunk_tokens = r.integer_or("prefill_chunk_tokens", s.prefill_chunk_tokens);
  r.check_range("prefill_chunk_tokens", static_cast<double>(s.prefill_chunk_tokens), 0, 1e9);
  s.kv_block_tokens = r.integer_or("kv_block_tokens", s.kv_block_tokens);
  r.check_range("kv_block_tokens", static_cast<double>(s.kv_block_tokens), 1, 1'000'000);
  s.prefix_caching = r.boolean_or("prefix_caching", s.prefix_caching);
  s.host_cache_bytes = r.quantity_or("host_cache", Dimension::kBytes, s.host_cache_bytes);
  r.check_range("host_cache", s.host_cache_bytes, 0, 1e18);
  s.weight_streaming = r.boolean_or("weight_streaming", s.weight_streaming);
  s.max_fused_decode_steps = static_cast<int>(r.integer_or("max_fused_decode_steps", s.max_fused_decode_steps));
  r.check_range("max_fused_decode_steps", s.max_fused_decode_steps, 1, 100'000);
  r.finish();
}

namespace {

AutoscalerSpec read_autoscaler(MapReader r, ServingPoolSpec& pool) {
  AutoscalerSpec a;
  {
    MapReader t = r.map("target");
    a.metric = t.choice<ScalingMetric>("metric", {{"queue_per_replica", ScalingMetric::kQueuePerReplica},
                                                  {"utilization", ScalingMetric::kUtilization},
                                                  {"ttft", ScalingMetric::kTtftPercentile},
                                                  {"concurrency", ScalingMetric::kConcurrency},
                                                  {"kv_cache", ScalingMetric::kKvCache}});
    switch (a.metric) {
      case ScalingMetric::kQueuePerReplica:
        a.target = t.number("value");
        if (a.target <= 0) t.fail("value", "the queue target must be positive");
        break;
      case ScalingMetric::kUtilization:
        a.target = t.quantity("value", Dimension::kRatio);
        if (a.target <= 0 || a.target > 1) t.fail("value", "the utilization target must be in (0, 100%]");
        break;
      case ScalingMetric::kConcurrency:
        a.target = t.number("value");
        if (a.target <= 0) t.fail("value", "the concurrency target (sequences per replica) must be positive");
        a.load_window = t.duration_or("window", a.load_window);
        if (a.load_window < Time{}) t.fail("window", "the averaging window must not be negative");
        break;
      case ScalingMetric::kKvCache:
        a.target = t.quantity("value", Dimension::kRatio);
        if (a.target <= 0 || a.target > 1) t.fail("value", "the KV-cache target must be in (0, 100%]");
        a.load_window = t.duration_or("window", a.load_window);
        if (a.load_window < Time{}) t.fail("window", "the averaging window must not be negative");
        break;
      case ScalingMetric::kTtftPercentile:
        a.target = t.duration("value").seconds();
        if (a.target <= 0) t.fail("value", "the TTFT target must be a positive duration");
        a.ttft_quantile = t.quantity_or("quantile", Dimension::kRatio, a.ttft_quantile);
        t.check_range("quantile", a.ttft_quantile, 0, 1);
        a.ttft_window = t.duration_or("window", a.ttft_window);
        break;
    }
    t.finish();
  }
  a.evaluation_period = r.duration_or("period", a.evaluation_period);
  if (a.evaluation_period <= Time{}) r.fail("period", "the evaluation period must be positive");
  a.tolerance = r.quantity_or("tolerance", Dimension::kRatio, a.tolerance);
  r.check_range("tolerance", a.tolerance, 0, 1);
  a.provisioning_delay = r.duration_or("provisioning", Time{});
  if (r.has("weight_load") && r.has("weight_load_bandwidth"))
    r.fail("weight_load", "give either weight_load (a time) or weight_load_bandwidth, not both");
  // weights_from replaces a fixed load time (one an `extends`ed base gives is read, then unused).
  if (r.has("weights_from")) {
    pool.weights_from = r.choice<WeightSource>("weights_from", {{"object_store", WeightSource::kObjectStore},
                                                                 {"nvme_cache", WeightSource::kNvmeCache},
                                                                 {"peer", WeightSource::kPeer}});
    const ConfigNode& at = r.required("weights_from");
    pool.weights_where = (at.key_where.origin ? at.key_where : at.where).describe() + ": " + r.path_of("weights_from");
    pool.weights_prestaged = r.boolean_or("nvme_prestaged", false);
  } else if (r.has("nvme_prestaged")) {
    r.fail("nvme_prestaged", "goes with weights_from: nvme_cache");
  }
  if (r.has("weight_load_bandwidth")) {
    const double bw = r.quantity("weight_load_bandwidth", Dimension::kBandwidth);
    if (bw <= 0) r.fail("weight_load_bandwidth", "the bandwidth must be positive");
    // The whole replica's weights cross the storage path into its node.
    const double bytes = TransformerCost(pool.model, pool.precision, pool.plan).weights_bytes_total();
    a.weight_load_delay = Time::from_seconds_ceil(bytes / bw);
  } else {
    a.weight_load_delay = r.duration_or("weight_load", Time{});
  }
  if (a.provisioning_delay < Time{} || a.weight_load_delay < Time{})
    r.fail("provisioning", "delays must not be negative");
  a.scale_up_cooldown = r.duration_or("scale_up_cooldown", a.scale_up_cooldown);
  a.scale_down_cooldown = r.duration_or("scale_down_cooldown", a.scale_down_cooldown);
  a.scale_down_stabilization = r.duration_or("scale_down_stabilization", a.scale_down_stabilization);
  if (a.scale_down_stabilization < Time{}) r.fail("scale_down_stabilization", "must not be negative");
  a.max_scale_down_fraction = r.quantity_or("max_scale_down_step", Dimension::kRatio, a.max_scale_down_fraction);
  r.check_range("max_scale_down_step", a.max_scale_down_fraction, 1e-9, 1.0);
  a.min_replicas = static_cast<int>(r.integer_or("min_replicas", 1));
  r.check_range("min_replicas", a.min_replicas, 0, 1'000'000);
  a.max_replicas = static_cast<int>(r.integer_or("max_replicas", std::max(a.min_replicas, pool.initial_replicas)));
  r.check_range("max_replicas", a.max_replicas, 1, 1'000'000);
  a.gpus_per_replica = pool.plan.total_gpus();
  a.gpu_limit = r.integer_or("gpu_limit", 0);
  r.check_range("gpu_limit", static_cast<double>(a.gpu_limit), 0, 1e9);
  r.finish();
  return a;
}

}  // namespace

ServingPoolSpec read_serving(MapReader r, const GpuCatalog& gpus, const ModelCatalog& models, bool in_list,
                             const PriceCatalog* prices) {
  ServingPoolSpec s;
  const std::string name = in_list ? r.string("name") : r.string_or("name", "serving");
  // The name prefixes the pool's timeline and summary names ("h100.ttft_p99_s").
  if (name.empty() ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != std::string::npos)
    r.fail("name", "a pool name is letters, digits, '_' and '-' (it prefixes the pool's output names)");
  if (in_list && r.has("share")) {
    s.share = r.quantity("share", Dimension::kRatio);
    if (!(s.share > 0)) r.fail("share", "a share must be positive (a pool with no share would get no requests)");
  }
  const std::string model_name = r.string("model");
  const std::string gpu_name = r.string("gpu");
  try {
    s.model = models.get(model_name);
  } catch (const UnknownNameError& e) {
    r.fail("model", e.what());
  }
  try {
    s.gpu = gpus.get(gpu_name);
  } catch (const UnknownNameError& e) {
    r.fail("gpu", e.what());
  }
  s.precision = precision_for(read_dtype(r, "dtype", Dtype::kBf16));
  s.precision.kv_cache = read_dtype(r, "kv_dtype", s.precision.kv_cache);
  s.plan.tp = static_cast<int>(r.integer_or("tp", 1));
  r.check_range("tp", s.plan.tp, 1, 1024);
  s.plan.pp = static_cast<int>(r.integer_or("pp", 1));
  r.check_range("pp", s.plan.pp, 1, 1024);
  // Expert parallelism: ep attention groups of tp GPUs in one replica (dp = ep inside it), the
  // experts of every MoE layer spread over them.
  s.plan.ep = static_cast<int>(r.integer_or("ep", 1));
  r.check_range("ep", s.plan.ep, 1, 1024);
  if (s.plan.ep > 1 && !s.model.is_moe()) r.fail("ep", s.model.name + " has no experts to spread (ep needs an MoE model)");
  if (s.plan.ep > 1 && s.model.experts % s.plan.ep != 0)
    r.fail("ep", "ep (" + std::to_string(s.plan.ep) + ") must divide the model's " + std::to_string(s.model.experts) +
                     " experts");
  s.plan.dp = s.plan.ep;
  s.plan.expert_skew = r.quantity_or("expert_skew", Dimension::kRatio, 1.0);
  if (!(s.plan.expert_skew >= 1) || s.plan.expert_skew > 1e3)
    r.fail("expert_skew", "the busiest EP rank's load over the mean must be in [1, 1000]");
  // Checked with the plan, before the memory model sizes a replica of it.
  if (s.plan.expert_skew != 1 && s.plan.ep == 1)
    r.fail("expert_skew", "routing skew only matters across EP ranks (set ep > 1)");
  try {
    validate(s.plan, s.model);
  } catch (const std::invalid_argument& e) {
    r.fail("tp", e.what());
  }
  // The engine's costs, and its scheduler defaults under the pool's own `replica:` keys.
  {
    const std::string engine = r.string_or("engine", kDefaultEngine);
    try {
      ServingEngine e = load_engine(engine, config_dir());
      s.engine = std::move(e.profile);
      s.replica = e.replica;
      s.kv_sizing = e.kv_sizing;
    } catch (const std::invalid_argument& e) {
      r.fail("engine", e.what());
    }
  }
  // The pool's own fraction replaces the engine's (of the whole GPU or of what is free, as
  // the engine budgets).
  s.kv_sizing.fraction = r.quantity_or("memory_utilization", Dimension::kRatio, s.kv_sizing.fraction);
  if (s.kv_sizing.fraction <= 0 || s.kv_sizing.fraction > 1)
    r.fail("memory_utilization", "the memory utilization must be in (0, 100%]");
  read_replica_limits(r.map("replica", true), s.replica);
  try {
    if (s.replica.weight_streaming) {
      const StreamingPlan plan =
          size_streaming_replica_kv_cache(s.replica, s.model, s.gpu, s.precision, s.plan, s.kv_sizing);
      if (plan.streamed_layers > 0) s.streaming = plan;
      if (s.streaming && !(plan.host_bandwidth_bytes_per_s > 0))
        r.fail("replica", "weight streaming copies layers over the GPU's PCIe link to host memory ('" + s.gpu.name +
                              "' has none in the catalog)");
    } else {
      size_replica_kv_cache(s.replica, s.model, s.gpu, s.precision, s.plan, s.kv_sizing);
    }
    // Swap preemption copies each GPU's share of the KV over its own PCIe link (on a topology
    // each replica gets its host links' shared rate instead: ServingSystem).
    s.replica.swap_bytes_per_s = s.gpu.host_link_bytes_per_s() * s.replica.gpus;
  } catch (const std::invalid_argument& e) {
    r.fail("tp", e.what());
  }

  MapReader pool = r.map("pool");
  s.initial_replicas = static_cast<int>(pool.integer_or("initial_replicas", 1));
  pool.check_range("initial_replicas", s.initial_replicas, 0, 1'000'000);
  s.router.name = name;
  s.router.policy = pool.choice_or<RoutingPolicy>("router",
                                                  {{"round_robin", RoutingPolicy::kRoundRobin},
                                                   {"least_outstanding", RoutingPolicy::kLeastOutstanding},
                                                   {"join_shortest_queue", RoutingPolicy::kJoinShortestQueue},
                                                   {"power_of_two", RoutingPolicy::kPowerOfTwo},
                                                   {"prefix_affinity", RoutingPolicy::kPrefixAffinity}},
                                                  s.router.policy);
  s.router.affinity_margin = pool.integer_or("affinity_margin", s.router.affinity_margin);
  pool.check_range("affinity_margin", static_cast<double>(s.router.affinity_margin), 0, 1e9);
  s.router.affinity_ratio = pool.number_or("affinity_ratio", s.router.affinity_ratio);
  pool.check_range("affinity_ratio", s.router.affinity_ratio, 1, 1e9);
  // Every queue is bounded: a waiting request holds memory, and a hostile demand can queue
  // without end. Past the bound arrivals are rejected and counted (requests_rejected).
  s.router.max_queued_requests = pool.integer_or("max_queued_requests", kDefaultMaxQueuedRequests);
  pool.check_range("max_queued_requests", static_cast<double>(s.router.max_queued_requests), 1, 1e8);
  s.router.context_window = s.model.max_context;
  s.router.context_overflow = pool.choice_or<ContextOverflow>(
      "context_overflow", {{"refuse", ContextOverflow::kRefuse}, {"clip", ContextOverflow::kClip}},
      s.router.context_overflow);
  if (pool.has("autoscaler")) s.autoscaler = read_autoscaler(pool.map("autoscaler"), s);
  {
    BillingDefaults d;
    d.gpus_per_replica = s.plan.total_gpus();
    d.reserved_gpus = static_cast<std::int64_t>(s.initial_replicas) * d.gpus_per_replica;
    // Owned: as many GPUs as the pool can ever hold.
    d.owned_gpus = d.reserved_gpus;
    if (s.autoscaler)
      d.owned_gpus = s.autoscaler->gpu_limit > 0
                         ? s.autoscaler->gpu_limit
                         : static_cast<std::int64_t>(s.autoscaler->max_replicas) * d.gpus_per_replica;
    s.billing = read_billing(pool, s.gpu, d, prices);
    s.usd_per_gpu_hour = s.billing.usd_per_gpu_hour;
  }
  pool.finish();

  MapReader slo = r.map("slo", true);
  s.slo.ttft = slo.duration_or("ttft", Time{});
  s.slo.tpot = slo.duration_or("tpot", Time{});
  if (s.slo.ttft < Time{} || s.slo.tpot < Time{}) slo.fail("ttft", "SLOs must not be negative");
  slo.finish();
  r.finish();
  refuse(r, validate(s));
  return s;
}

std::vector<ServingPoolSpec> read_serving_pools(const std::vector<ConfigItem>& items, const GpuCatalog& gpus,
                                                const ModelCatalog& models, const PriceCatalog* prices,
                                                std::string_view decode_pool) {
  std::vector<ServingPoolSpec> pools;
  for (const auto& item : items) {
    MapReader r(item.node, item.path);
    const bool has_share = r.has("share");
    pools.push_back(read_serving(r, gpus, models, true, prices));
    for (std::size_t j = 0; j + 1 < pools.size(); ++j)
      if (pools[j].router.name == pools.back().router.name)
        r.fail("name", "pool name '" + pools.back().router.name + "' is used twice (names must be unique)");
    if (!has_share) pools.back().share = -1;  // resolved below, once every pool is known
  }
  for (std::size_t i = 0; i < pools.size(); ++i) {
    int same_model = 0;
    for (const auto& p : pools) same_model += p.model.name == pools[i].model.name && p.router.name != decode_pool;
    if (pools[i].share > 0) continue;
    if (same_model > 1) {
      MapReader r(items[i].node, items[i].path);
      r.fail("model", "model '" + pools[i].model.name + "' is served by " + std::to_string(same_model) +
                          " pools: give each a `share:` of its requests");
    }
    pools[i].share = 1;
  }
  return pools;
}

namespace {

std::string& stamped_model(InferenceWorkloadSpec& w) {
  return w.trace ? w.trace->read.model : w.conversations ? w.conversations->model : w.synthetic->model;
}

// Whether requests of this stream may name their own model (a trace column or field).
bool carries_models(const InferenceWorkloadSpec& w) {
  return w.trace && (w.trace->format == TraceFormat::kJsonl ||
                     (w.trace->format == TraceFormat::kCsv && w.trace->columns.model.has_value()));
}

// A stream's `model:` becomes the catalog name the pools use, and must be served by a pool;
// a stream without one needs a single served model (or requests that name theirs).
void resolve_stream_models(MapReader& r, Scenario& s, const ModelCatalog& models) {
  std::vector<std::string> served;
  for (const ServingPoolSpec* p : s.all_serving_pools())
    if (std::find(served.begin(), served.end(), p->model.name) == served.end()) served.push_back(p->model.name);
  std::string served_list;
  for (const auto& m : served) served_list += (served_list.empty() ? "" : ", ") + m;
  const ConfigNode& section = r.required("workload");
  for (std::size_t i = 0; i < s.workload_streams.size(); ++i) {
    InferenceWorkloadSpec* w = &s.workload_streams[i];
    const bool listed = section.is_sequence();
    MapReader wr(listed ? section.items[i] : section, listed ? "workload[" + std::to_string(i) + "]" : "workload");
    std::string& model = stamped_model(*w);
    if (model.empty()) {
      if (served.size() > 1 && !carries_models(*w))
        wr.fail("model", "the pools serve several models (" + served_list +
                             "): name the one these requests are for with `model:`");
      continue;
    }
    const TransformerSpec* spec = models.find(model);
    if (!spec) wr.fail("model", "unknown model '" + model + "'; the pools serve: " + served_list);
    if (std::find(served.begin(), served.end(), spec->name) == served.end())
      wr.fail("model", "no pool serves model '" + model + "'; the pools serve: " + served_list);
    model = spec->name;
  }
}

}  // namespace

// `serving:` (one pool or a list), the `workload:` streams that feed it, `pool_split:` and
// `disaggregation:`.
void read_serving_section(SectionInput& in, Scenario& s) {
  MapReader& r = in.root;
  const Catalogs& c = in.catalogs;
  if (!r.has("serving")) {
    if (r.has("workload")) r.fail("workload", "`workload:` feeds a `serving:` section, which this scenario does not have");
    // (refused: it names two pools of a `serving:` list)
    if (r.has("disaggregation")) read_disaggregation(r.map("disaggregation"), s, r.has("topology"));
    return;
  }
  // A scenario has at most one request workload model: a generic queue, or LLM serving.
  if (s.section<ServerPoolSpec>("queueing"))
    r.fail("serving", "a scenario has one request workload model: `queueing:` or `serving:`, not both");
  if (r.required("serving").is_sequence()) {
    s.serving_pools = read_serving_pools(r.items("serving"), c.gpus, c.models, &c.prices, decode_pool_name(r));
    if (s.serving_pools.empty()) r.fail("serving", "the list of serving pools is empty");
  } else {
    s.serving_pools.push_back(read_serving(r.map("serving"), c.gpus, c.models, false, &c.prices));
  }
  if (!r.has("workload")) r.fail("serving", "`serving:` needs a `workload:` section with its requests");
  if (r.required("workload").is_sequence()) {
    for (const auto& item : r.items("workload")) {
      s.workload_streams.push_back(read_inference_workload(MapReader(item.node, item.path)));
      // Streams name their random streams: the first keeps the single form's name.
      InferenceWorkloadSpec& w = s.workload_streams.back();
      if (!MapReader(item.node, item.path).has("name") && s.workload_streams.size() > 1)
        w.name += std::to_string(s.workload_streams.size() - 1);
      for (std::size_t j = 0; j + 1 < s.workload_streams.size(); ++j)
        if (s.workload_streams[j].name == w.name)
          MapReader(item.node, item.path).fail("name", "workload name '" + w.name + "' is used twice");
    }
    if (s.workload_streams.empty()) r.fail("workload", "the list of workload streams is empty");
  } else {
    s.workload_streams.push_back(read_inference_workload(r.map("workload")));
  }
  s.pool_split = r.choice_or<PoolSplit>(
      "pool_split", {{"smooth_round_robin", PoolSplit::kSmoothRoundRobin}, {"random", PoolSplit::kRandom}},
      s.pool_split);
  resolve_stream_models(r, s, c.models);
  if (r.has("disaggregation"))
    s.disaggregation = read_disaggregation(r.map("disaggregation"), s, r.has("topology"));
}

}  // namespace cs
