#include "sim/scenario/training_loader.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <variant>

#include "sim/llm/transformer_spec.hpp"
#include "sim/queueing/server_pool.hpp"
#include "sim/scenario/billing_reader.hpp"
#include "sim/scenario/section_input.hpp"
#include "sim/scenario/spec_refusal.hpp"
#include "sim/scenario/workload_loader.hpp"
#include "sim/training/training_iteration.hpp"
#include "sim/training/training_spec_checks.hpp"

namespace cs {

namespace {

// `checkpoint:` over `base`. storage_bandwidth needs the model (its checkpoint size).
CheckpointSpec read_checkpoint(MapReader r, CheckpointSpec base, const TransformerSpec* model) {
  base.interval = r.duration_or("interval", base.interval);
  if (r.has("write_time") && r.has("storage_bandwidth"))
    r.fail("write_time", "give either write_time or storage_bandwidth, not both");
  if (r.has("storage_bandwidth")) {
    const double bw = r.quantity("storage_bandwidth", Dimension::kBandwidth);
    if (bw <= 0) r.fail("storage_bandwidth", "the bandwidth must be positive");
    if (!model)
      r.fail("storage_bandwidth",
             "a checkpoint's size comes from its model: give storage_bandwidth on a `training:` job, or a write_time "
             "here");
    base.write_time = checkpoint_write_time(training_checkpoint_bytes(count_parameters(*model).total()), bw);
  } else {
    base.write_time = r.duration_or("write_time", base.write_time);
  }
  base.restart_overhead = r.duration_or("restart", base.restart_overhead);
  r.finish();
  refuse(r, validate(base));
  return base;
}

double read_mtbf_hours(MapReader& r, std::string_view key, double fallback_h) {
  if (!r.has(key)) return fallback_h;
  return r.duration(key).seconds() / 3600.0;
}

void read_failures(MapReader r, TrainingClusterSpec& c) {
  c.failures_enabled = r.boolean_or("enabled", true);
  c.failures.gpu_mtbf_h = read_mtbf_hours(r, "gpu_mtbf", c.failures.gpu_mtbf_h);
  c.failures.node_mtbf_h = read_mtbf_hours(r, "node_mtbf", c.failures.node_mtbf_h);
  c.failures.repair_time = r.duration_or("repair_time", c.failures.repair_time);
  c.failures.spare_nodes = static_cast<int>(r.integer_or("spare_nodes", 0));
  r.check_range("spare_nodes", c.failures.spare_nodes, 0, 1e6);
  r.finish();
  refuse(r, validate(c.failures));
}

void read_scheduler(MapReader r, ClusterSchedulerSpec& s) {
  s.policy = r.choice_or<SchedulingPolicy>("policy",
                                           {{"fifo", SchedulingPolicy::kFifo},
                                            {"easy_backfill", SchedulingPolicy::kEasyBackfill},
                                            {"priority", SchedulingPolicy::kPriorityPreemptive}},
                                           s.policy);
  s.placement = r.choice_or<PlacementPolicy>(
      "placement", {{"topology_aware", PlacementPolicy::kTopologyAware}, {"random", PlacementPolicy::kRandom}},
      s.placement);
  s.preemption_backoff = r.duration_or("preemption_backoff", s.preemption_backoff);
  r.finish();
  refuse(r, validate(s));
}

template <typename Catalog>
auto lookup(MapReader& r, std::string_view key, const Catalog& catalog) {
  const std::string name = r.string(key);
  try {
    return catalog.get(name);
  } catch (const UnknownNameError& e) {
    r.fail(key, e.what());
  }
}

// `dtype`: bf16 or fp16 mixed precision, or fp8 GEMMs with Transformer-Engine-style delayed
// scaling (weights, activations and the optimizer stay 16/32-bit).
ModelPrecision read_training_precision(MapReader& r, const GpuSpec& gpu) {
  const std::string text = r.string_or("dtype", "bf16");
  const auto d = parse_dtype(text);
  if (!d || (*d != Dtype::kBf16 && *d != Dtype::kFp16 && *d != Dtype::kFp8))
    r.fail("dtype", "unknown training format '" + text + "'; expected bf16, fp16 or fp8");
  if (*d != Dtype::kFp8) return precision_for(*d);
  if (gpu.effective_compute_dtype(Dtype::kFp8) != Dtype::kFp8)
    r.fail("dtype", gpu.name + " has no fp8 tensor cores (fp8 training needs Hopper, Ada or newer)");
  ModelPrecision p = precision_for(Dtype::kBf16);
  p.compute = Dtype::kFp8;
  return p;
}

// A plan whose fullest stage does not fit in the GPU's memory is refused, with the parts.
void check_training_memory(MapReader& r, const TrainingJobSpec& t) {
  const TrainingMemory m = training_job_memory(t);
  if (m.total() <= t.gpu.memory_bytes) return;
  constexpr double GiB = 1024.0 * 1024 * 1024;
  char text[400];
  std::snprintf(text, sizeof text,
                "the plan needs %.1f GiB per GPU on its fullest pipeline stage (weights %.1f, gradients %.1f, "
                "optimizer %.1f, activations %.1f GiB); %s has %.1f GiB. Shard more (pp, tp, zero_stage), recompute "
                "activations or shrink micro_batch",
                m.total() / GiB, m.weights_bytes / GiB, m.gradients_bytes / GiB, m.optimizer_bytes / GiB,
                m.activations_bytes / GiB, t.gpu.name.c_str(), t.gpu.memory_bytes / GiB);
  r.fail("micro_batch", text);
}

// One `training:` job.
void read_training_job(MapReader r, std::size_t index, const GpuCatalog& gpus, const ModelCatalog& models,
                       TrainingClusterSpec& c) {
  ClusterJobSpec job;
  TrainingJobSpec t;
  t.name = r.string_or("name", "training-" + std::to_string(index));
  job.name = t.name;
  t.model = lookup(r, "model", models);
  t.gpu = lookup(r, "gpu", gpus);
  if (!c.gpu_type.empty() && t.gpu.name != c.gpu_type)
    r.fail("gpu", "the cluster's GPUs are " + c.gpu_type + ", not " + t.gpu.name);
  if (r.has("vocab")) {
    // Megatron-LM pads the vocabulary to a multiple of 128 x tp (GPT-3's 50,257 -> 51,200).
    t.model.vocab = static_cast<int>(r.integer("vocab"));
    r.check_range("vocab", t.model.vocab, 1, 1e9);
  }
  t.precision = read_training_precision(r, t.gpu);
  t.flash_attention = r.boolean_or("flash_attention", t.flash_attention);
  if (r.has("gradient_dtype")) {
    const std::string text = r.string("gradient_dtype");
    const auto d = parse_dtype(text);
    if (!d) r.fail("gradient_dtype", "unknown number format '" + text + "'; expected fp32, bf16 or fp16");
    t.gradient_dtype = *d;
  }
  t.global_batch_sequences = static_cast<int>(r.integer("global_batch"));
  r.check_range("global_batch", t.global_batch_sequences, 1, 1e9);
  t.sequence_length = static_cast<int>(r.integer("sequence_length"));
  r.check_range("sequence_length", t.sequence_length, 1, 1e8);
  t.token_budget = r.quantity("tokens", Dimension::kCount);
  if (t.token_budget <= 0) r.fail("tokens", "the token budget must be positive");
  TrainingParallelism& p = t.parallel;
  p.tp = static_cast<int>(r.integer_or("tp", 1));
  r.check_range("tp", p.tp, 1, 1024);
  p.pp = static_cast<int>(r.integer_or("pp", 1));
  r.check_range("pp", p.pp, 1, 4096);
  p.dp = static_cast<int>(r.integer_or("dp", 1));
  r.check_range("dp", p.dp, 1, 1e6);
  p.cp = static_cast<int>(r.integer_or("cp", 1));
  r.check_range("cp", p.cp, 1, 1024);
  p.ep = static_cast<int>(r.integer_or("ep", 1));
  r.check_range("ep", p.ep, 1, 1e6);
  p.moe_capacity_factor = r.number_or("moe_capacity_factor", 1.0);
  r.check_range("moe_capacity_factor", p.moe_capacity_factor, 1, 1e3);
  p.micro_batch_size = static_cast<int>(r.integer_or("micro_batch", 1));
  r.check_range("micro_batch", p.micro_batch_size, 1, 1e6);
  p.virtual_stages = static_cast<int>(r.integer_or("virtual_stages", 1));
  r.check_range("virtual_stages", p.virtual_stages, 1, 1024);
  p.zero_stage = static_cast<int>(r.integer_or("zero_stage", p.zero_stage));
  r.check_range("zero_stage", p.zero_stage, 0, 3);
  p.recompute_activations = r.boolean_or("recompute", p.recompute_activations);
  p.selective_recompute = r.boolean_or("selective_recompute", p.selective_recompute);
  p.sequence_parallel = r.boolean_or("sequence_parallel", p.sequence_parallel);
  p.tp_comm_overlap = r.boolean_or("tp_comm_overlap", p.tp_comm_overlap);
  p.overlap_dp_communication = r.boolean_or("overlap_dp", p.overlap_dp_communication);
  refuse(r, validate(t));
  if (p.tp > c.gpus_per_node || c.gpus_per_node % p.tp != 0)
    r.fail("tp", "a tensor-parallel group stays inside one node: tp must divide the " +
                     std::to_string(c.gpus_per_node) + " GPUs of a node");
  check_training_memory(r, t);
  job.gpus = p.gpus();
  job.submit = r.duration_or("submit", Time{});
  if (job.submit < Time{}) r.fail("submit", "the submit time must not be negative");
  job.priority = static_cast<int>(r.integer_or("priority", 0));
  r.check_range("priority", job.priority, -1e9, 1e9);
  job.preemptible = r.boolean_or("preemptible", false);
  job.checkpoint = read_checkpoint(r.map("checkpoint", true), c.checkpoint, &t.model);
  const double price = r.quantity_or("price", Dimension::kUsdPerHour, c.usd_per_gpu_hour);
  r.check_range("price", price, 0, HUGE_VAL);
  if (c.gpus() > 0 && job.gpus > c.gpus())
    r.fail("dp", "the job needs tp x cp x pp x dp = " + std::to_string(job.gpus) + " GPUs; the cluster has " +
                     std::to_string(c.gpus()) +
                     (c.failures_enabled && c.failures.spare_nodes > 0 ? " (spares included)" : ""));
  r.finish();
  job.training = std::move(t);
  c.jobs.push_back(std::move(job));
  c.job_usd_per_gpu_hour.push_back(price);
}

}  // namespace

SpecProblems validate(const TrainingClusterSpec& c) {
  SpecProblems out;
  if (c.failures_enabled && c.failures.spare_nodes >= c.nodes)
    out.push_back({"failures.spare_nodes",
                   "spare_nodes must leave some of the " + std::to_string(c.nodes) + " nodes in service"});
  if (c.spot_replacement < Time{}) out.push_back({"spot_replacement", "must not be negative"});
  return out;
}

TrainingClusterSpec read_training_cluster(MapReader& root, const GpuCatalog& gpus, const ModelCatalog& models,
                                          std::optional<int> topology_nodes, int topology_gpus_per_node,
                                          const PriceCatalog* price_catalog) {
  TrainingClusterSpec c;
  MapReader r = root.map("cluster", true);
  c.from_topology = topology_nodes.has_value();
  if (c.from_topology) {
    for (const char* key : {"nodes", "gpus_per_node", "nodes_per_leaf"})
      if (r.has(key)) r.fail(key, "the inventory comes from `topology:`; remove this key or the topology");
    c.nodes = *topology_nodes;
    c.gpus_per_node = topology_gpus_per_node;
  } else {
    c.nodes = static_cast<int>(r.integer("nodes"));
    r.check_range("nodes", c.nodes, 1, 1e7);
    c.gpus_per_node = static_cast<int>(r.integer_or("gpus_per_node", c.gpus_per_node));
    r.check_range("gpus_per_node", c.gpus_per_node, 1, 1024);
    c.nodes_per_leaf = static_cast<int>(r.integer_or("nodes_per_leaf", c.nodes_per_leaf));
    r.check_range("nodes_per_leaf", c.nodes_per_leaf, 1, 1e7);
  }
  if (r.has("gpu")) c.gpu_type = lookup(r, "gpu", gpus).name;
  if ((r.has("provider") || r.has("owned")) && c.gpu_type.empty())
    r.fail(r.has("owned") ? "owned" : "provider", "pricing the cluster needs its `gpu:`");
  if (!c.gpu_type.empty()) {
    // The whole cluster is held for the run: a bare price, a provider's rate, or the ownership
    // rate; the catalog's server gives the power beyond the boards.
    c.gpu = gpus.get(c.gpu_type);
    BillingDefaults d;
    d.gpus_per_replica = c.gpus_per_node;  // a spot node is lost with any instance it spans
    d.reserved_gpus = d.owned_gpus = static_cast<std::int64_t>(c.nodes) * c.gpus_per_node;
    c.billing = read_billing(r, *c.gpu, d, price_catalog);
    c.usd_per_gpu_hour = c.billing.committed_gpus > 0 ? c.billing.committed_usd_per_gpu_hour : c.billing.usd_per_gpu_hour;
    c.spot_reclaims_per_node_s = c.billing.spot_interruptions_per_s;
  } else {
    c.usd_per_gpu_hour = r.quantity_or("price", Dimension::kUsdPerHour, 0.0);
    r.check_range("price", c.usd_per_gpu_hour, 0, HUGE_VAL);
  }
  if (r.has("spot_replacement")) {
    if (!(c.spot_reclaims_per_node_s > 0)) r.fail("spot_replacement", "goes with option: spot");
    c.spot_replacement = r.duration("spot_replacement");
  }
  read_scheduler(r.map("scheduler", true), c.scheduler);
  c.serving_priority = static_cast<int>(r.integer_or("serving_priority", c.serving_priority));
  r.check_range("serving_priority", c.serving_priority, -1e9, 2e9);
  if (r.has("failures")) read_failures(r.map("failures"), c);
  c.checkpoint = read_checkpoint(r.map("checkpoint", true), c.checkpoint, nullptr);
  r.finish();
  refuse(r, validate(c));

  if (const ConfigNode* t = root.optional("training")) {
    if (t->is_sequence()) {
      std::size_t i = 0;
      for (const ConfigItem& item : root.items("training"))
        read_training_job(MapReader(item.node, item.path), i++, gpus, models, c);
    } else {
      read_training_job(root.map("training"), 0, gpus, models, c);
    }
    if (c.jobs.empty()) root.fail("training", "the list of training jobs is empty");
  }
  if (root.has("jobs")) c.trace = read_job_workload(root, "jobs");
  if (!c.jobs.empty() && !c.from_topology)
    root.fail("training", "training jobs are timed on the interconnect: add a `topology:` section");
  if (c.jobs.empty() && !c.trace)
    root.fail("cluster", "a cluster needs jobs: a `training:` section or a `jobs:` list or trace");
  // Jobs are submitted in order of their submit times (a stable sort keeps the file's order for ties).
  std::vector<std::size_t> order(c.jobs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return c.jobs[a].submit < c.jobs[b].submit; });
  std::vector<ClusterJobSpec> jobs;
  std::vector<double> prices;
  for (auto i : order) {
    jobs.push_back(std::move(c.jobs[i]));
    prices.push_back(c.job_usd_per_gpu_hour[i]);
  }
  c.jobs = std::move(jobs);
  c.job_usd_per_gpu_hour = std::move(prices);
  return c;
}

// `cluster:`, `training:` and `jobs:`: on the scenario's topology when it has one.
void read_training_section(SectionInput& in, Scenario& s) {
  MapReader& r = in.root;
  if (!r.has("cluster") && !r.has("training") && !r.has("jobs")) return;
  std::optional<int> topology_nodes;
  int topology_gpus_per_node = 0;
  if (s.network) {
    const auto* layout = std::get_if<ClusterSpec>(&s.network->topology.layout);
    if (!layout) r.fail("topology", "a training cluster needs a node template and a fabric, not an explicit topology");
    topology_nodes = layout->nodes;
    topology_gpus_per_node = layout->node.gpus;
  }
  s.training = read_training_cluster(r, in.catalogs.gpus, in.catalogs.models, topology_nodes, topology_gpus_per_node,
                                     &in.catalogs.prices);
  if (s.section<ServerPoolSpec>("queueing"))
    r.fail("cluster", "a training cluster runs beside `serving:`, not beside `queueing:`");
}

}  // namespace cs
