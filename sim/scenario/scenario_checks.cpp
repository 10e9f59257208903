#include "sim/scenario/scenario_checks.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "topology/host_link.hpp"
#include "topology/object_store.hpp"
#include "topology/replica_slots.hpp"

namespace cs {

namespace {

// `horizon: drain` needs a serving workload that ends, and nothing else that runs on.
void check_drainable(MapReader& r, const Scenario& s) {
  MapReader sim = r.map("simulation");
  if (s.all_serving_pools().empty() || s.training || !s.sections.empty() || (s.network && !s.network->jobs.empty()))
    sim.fail("horizon",
             "`horizon: drain` ends a serving-only run when its requests are done; this scenario has "
             "other models that run on (give a duration)");
  for (const InferenceWorkloadSpec* w : s.all_workloads()) {
    const bool endless = w->trace           ? w->trace->passes == 0
                         : w->conversations ? !w->conversations->end && w->conversations->max_requests == 0
                                            : !w->synthetic->end && w->synthetic->max_requests == 0;
    if (endless)
      sim.fail("horizon", "workload '" + w->name +
                              "' never ends (a trace with loop: 0, or a synthetic stream without end or "
                              "max_requests): `horizon: drain` needs a finite one");
  }
}

// The key under a stream that says where its requests come from.
std::string_view source_key(const InferenceWorkloadSpec& w) {
  return w.trace ? "trace" : w.conversations ? "conversations" : "synthetic";
}

// The reader of item `i` of `serving:` or `workload:`, whichever form the section was written
// in (one map, or a list of them).
MapReader item_reader(MapReader& r, std::string_view section, std::size_t i) {
  if (!r.required(section).is_sequence()) return r.map(section);
  const ConfigItem item = r.items(section).at(i);
  return MapReader(item.node, item.path);
}

// The longest prompt a stream can make, when its spec says (0: not known before the run).
std::int64_t known_max_prompt(const InferenceWorkloadSpec& w) {
  if (w.trace) return w.trace->max_tokens > 0 ? w.trace->max_tokens - 1 : 0;
  if (w.conversations) return w.conversations->max_context_tokens > 0 ? w.conversations->max_context_tokens - 1 : 0;
  const TokenLengthSpec& l = w.synthetic->lengths;
  if (l.max_input_tokens > 0) return l.max_input_tokens;
  if (!l.resample && l.input.kind == DistributionKind::kFixed)
    return std::max<std::int64_t>(1, std::llround(l.input.mean));
  return 0;
}

// Prompts a pool could never take — longer than the model's context window, or than the
// token budget of a scheduler without chunked prefill — are refused here when the workload's
// longest prompt is known (otherwise they are counted in /summary when they come).
void check_prompt_limits(MapReader& r, const Scenario& s) {
  const std::vector<const InferenceWorkloadSpec*> streams = s.all_workloads();
  for (std::size_t i = 0; i < streams.size(); ++i) {
    const InferenceWorkloadSpec& w = *streams[i];
    const std::int64_t prompt = known_max_prompt(w);
    if (prompt == 0) continue;
    const std::string& model = w.trace           ? w.trace->read.model
                               : w.conversations ? w.conversations->model
                                                 : w.synthetic->model;
    for (const ServingPoolSpec* p : s.all_serving_pools()) {
      if (!model.empty() && p->model.name != model) continue;
      const ReplicaSpec& rep = p->replica;
      const bool budget_bound = !rep.chunked_prefill && rep.scheduler != SchedulerMode::kOrca;
      std::string why;
      if (p->model.max_context > 0 && prompt > p->model.max_context)
        why = "the model's " + std::to_string(p->model.max_context) + "-token context window";
      else if (budget_bound && prompt > rep.max_batched_tokens)
        why = "max_batched_tokens " + std::to_string(rep.max_batched_tokens) + " without chunked prefill";
      if (why.empty()) continue;
      item_reader(r, "workload", i)
          .fail(source_key(w), "prompts of up to " + std::to_string(prompt) + " tokens exceed pool '" + p->router.name +
                                   "': " + why + "; they could never be served (cap the prompts, or change the pool)");
    }
  }
}

// The tokens each prefix id of a stream covers (0: its requests carry none).
std::int64_t prefix_block_tokens(const InferenceWorkloadSpec& w) {
  if (w.conversations) return w.conversations->block_tokens;
  if (w.trace && w.trace->format == TraceFormat::kJsonl) return w.trace->read.prefix_block_tokens;
  return 0;
}

// A prefix-caching pool caches a stream's prefix blocks as whole KV blocks.
void check_prefix_blocks(MapReader& r, const Scenario& s) {
  const std::vector<const InferenceWorkloadSpec*> streams = s.all_workloads();
  for (std::size_t i = 0; i < streams.size(); ++i) {
    const std::int64_t block = prefix_block_tokens(*streams[i]);
    if (block == 0) continue;
    for (const ServingPoolSpec* p : s.all_serving_pools()) {
      if (!p->replica.prefix_caching || block % p->replica.kv_block_tokens == 0) continue;
      item_reader(r, "workload", i)
          .fail(source_key(*streams[i]), "prefix blocks of " + std::to_string(block) +
                                             " tokens (block_tokens) are not whole KV blocks of pool '" +
                                             p->router.name + "' (kv_block_tokens " +
                                             std::to_string(p->replica.kv_block_tokens) + ")");
    }
  }
}

// On a topology, every pool's replicas take slots (topology/replica_slots.hpp) from the one set
// of GPUs, first-fit in pool order at the start: a pool whose replica cannot fit the topology,
// more initial replicas than a pool has slots, or (without a cluster to borrow from) a pool
// without an autoscaler whose initial replicas find no free slot after the pools before it,
// would stop the run as it places them. An autoscaled pool short of GPUs counts the shortfall.
void check_serving_placement(MapReader& r, const Scenario& s) {
  if (!s.network || s.serving_pools.empty()) return;
  const Topology topology = build_topology(s.network->topology);
  std::vector<bool> taken(topology.vertex_count(), false);
  for (std::size_t i = 0; i < s.serving_pools.size(); ++i) {
    const ServingPoolSpec& p = s.serving_pools[i];
    const std::vector<std::vector<VertexId>> slots = replica_slots(topology, p.plan.tp, p.plan.pp * p.plan.ep);
    MapReader section = item_reader(r, "serving", i);
    if (slots.empty())
      section.fail(p.plan.pp > 1 ? "pp" : "tp", "the topology's " + std::to_string(topology.gpus().size()) +
                                                    " GPUs cannot hold one replica of pool '" + p.router.name + "' (" +
                                                    std::to_string(p.plan.tp * p.plan.pp) + " GPUs)");
    if (p.streaming) {
      // Streamed layers come over each GPU's host link: every GPU a replica may take needs one.
      Router router(topology);
      try {
        for (const std::vector<VertexId>& slot : slots)
          for (const VertexId g : slot) host_link(router, g);
      } catch (const std::invalid_argument& e) {
        section.map("replica", true).fail("weight_streaming", e.what());
      }
    }
    MapReader pool = section.map("pool", true);
    if (p.initial_replicas > static_cast<int>(slots.size()))
      pool.fail("initial_replicas", std::to_string(p.initial_replicas) + " initial replicas of " +
                                        std::to_string(p.replica.gpus) + " GPUs do not fit the topology's " +
                                        std::to_string(slots.size()) + " replica slots");
    if (s.training) continue;  // co-located replicas borrow the cluster's GPUs instead
    int placed = 0;
    for (const std::vector<VertexId>& slot : slots) {
      if (placed == p.initial_replicas) break;
      if (std::any_of(slot.begin(), slot.end(), [&](VertexId g) { return taken[g]; })) continue;
      for (const VertexId g : slot) taken[g] = true;
      ++placed;
    }
    if (placed < p.initial_replicas && !p.autoscaler)
      pool.fail("initial_replicas", std::to_string(p.initial_replicas) + " initial replicas of " +
                                        std::to_string(p.replica.gpus) + " GPUs: only " + std::to_string(placed) +
                                        " fit the topology's GPUs left free by the pools before '" + p.router.name +
                                        "'");
  }
}

// Co-located replicas run on GPUs borrowed from the training cluster, so a pool's GPU must be
// the cluster's: its `gpu:`, or where it names none, the GPU its model jobs train on.
void check_colocated_gpus(MapReader& r, const Scenario& s) {
  if (!s.training) return;
  std::string cluster_gpu = s.training->gpu_type;
  for (const ClusterJobSpec& j : s.training->jobs)
    if (cluster_gpu.empty() && j.training) cluster_gpu = j.training->gpu.name;
  if (cluster_gpu.empty()) return;
  for (std::size_t i = 0; i < s.serving_pools.size(); ++i)
    if (s.serving_pools[i].gpu.name != cluster_gpu)
      item_reader(r, "serving", i)
          .fail("gpu", "co-located replicas run on GPUs borrowed from the training cluster, which are " + cluster_gpu +
                           ", not " + s.serving_pools[i].gpu.name);
}

// Weights loaded as flows need the topology's object store (every source falls back on it).
void check_weight_sources(const Scenario& s) {
  bool store = false, built = false;
  for (const ServingPoolSpec* pool : s.all_serving_pools()) {
    if (!pool->weights_from) continue;
    if (!s.network) throw ConfigError(pool->weights_where + ": weights as flows need a `topology:` to flow on");
    if (!built) store = find_object_store(build_topology(s.network->topology)).has_value();
    built = true;
    if (!store)
      throw ConfigError(pool->weights_where +
                        ": the topology has no object store to load from (topology.storage.object_store)");
  }
}

}  // namespace

void validate_scenario(MapReader& r, const Scenario& s) {
  if (s.sections.empty() && s.serving_pools.empty() && !s.training && !(s.network && !s.network->jobs.empty()))
    throw_config_error(r.node().where, "",
                       "the scenario has no workload model: add a `queueing:`, `serving:` or `training:` section, "
                       "`jobs:` on a `cluster:`, or `collectives:` jobs on a `topology:`");
  if (!s.serving_pools.empty()) {
    check_prompt_limits(r, s);
    check_prefix_blocks(r, s);
  }
  check_weight_sources(s);
  if (s.simulation.until_drained) check_drainable(r, s);
  check_serving_placement(r, s);
  check_colocated_gpus(r, s);
}

}  // namespace cs
