#include "sim/serving/serving_spec_checks.hpp"

#include <string>

namespace cs {

SpecProblems validate(const ReplicaSpec& r) {
  SpecProblems out;
  // vLLM v0 and Orca schedule a prompt's prefill whole (their papers' iteration-level schedulers).
  if (r.chunked_prefill && (r.scheduler == SchedulerMode::kVllmV0 || r.scheduler == SchedulerMode::kOrca))
    out.push_back({"chunked_prefill", "scheduler " + std::string(scheduler_mode_name(r.scheduler)) +
                                          " has no chunked prefill (use vllm_v1 or a trtllm mode)"});
  if (r.host_cache_bytes > 0 && !r.prefix_caching)
    out.push_back({"host_cache", "a host tier of the prefix cache needs prefix_caching: true"});
  return out;
}

SpecProblems validate(const ServingPoolSpec& p) {
  SpecProblems out;
  for (SpecProblem& q : validate(p.replica)) out.push_back({"replica." + q.key, std::move(q.message)});
  // Swap preemption copies each GPU's share of the KV over its own PCIe link.
  if (p.replica.preemption == PreemptionMode::kSwap && !(p.replica.swap_bytes_per_s > 0))
    out.push_back({"replica.preemption", "swap preemption needs the GPU's PCIe link to host memory ('" + p.gpu.name +
                                             "' has none in the catalog)"});
  // The host tier's copies take the same links (on a topology each replica's rate is its GPUs'
  // host links' shared rate, ServingSystem::host_copy_bytes_per_s; this is the rate without one).
  if (p.replica.host_cache_bytes > 0 && !(p.replica.swap_bytes_per_s > 0))
    out.push_back({"replica.host_cache", "the host tier needs the GPU's PCIe link to host memory ('" + p.gpu.name +
                                             "' has none in the catalog)"});
  if (p.router.policy == RoutingPolicy::kPrefixAffinity && !p.replica.prefix_caching)
    out.push_back(
        {"pool.router", "prefix_affinity routes by the replicas' prefix caches: set replica.prefix_caching: true"});
  if (p.weights_prestaged && p.weights_from != WeightSource::kNvmeCache)
    out.push_back({"pool.autoscaler.nvme_prestaged",
                   "pre-staged weights are read from the nodes' NVMe: give weights_from: nvme_cache"});
  if (p.billing.spot_interruptions_per_s > 0 && !p.autoscaler)
    out.push_back({"pool.option", "a spot pool needs an `autoscaler:` to replace the replicas the provider reclaims"});
  if (!p.autoscaler && p.initial_replicas < 1)
    out.push_back({"pool.initial_replicas", "without an autoscaler the pool needs at least one replica"});
  if (p.autoscaler && p.autoscaler->max_replicas < p.autoscaler->min_replicas)
    out.push_back({"pool.autoscaler.max_replicas", "max_replicas (" + std::to_string(p.autoscaler->max_replicas) +
                                                       ") is below min_replicas (" +
                                                       std::to_string(p.autoscaler->min_replicas) + ")"});
  return out;
}

}  // namespace cs
