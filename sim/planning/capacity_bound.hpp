#pragma once
// The analytical side of a plan, before anything is simulated: the workload's peak demand
// (read from its own request stream over the horizon), and for a candidate configuration
// whether its replica fits in memory (the scenario loader sizes the KV cache with sim/llm's
// memory model and refuses a plan that does not fit) and the fewest replicas that could carry
// the peak: peak output tokens/s over one replica's decode throughput at its largest batch,
// from sim/llm's IterationModel (the roofline decode step estimate_inference uses, at the mean
// lengths), an upper bound of what the replica can generate.
#include <cstdint>
#include <string>

#include "sim/scenario/scenario.hpp"

namespace cs {

struct WorkloadPeak {
  std::uint64_t requests = 0;
  double mean_input_tokens = 0;
  double mean_output_tokens = 0;
  double peak_output_tokens_per_s = 0;  // the busiest window (by arrival) of `window`
};

// Over every request stream of the scenario up to its horizon. Zero requests for a scenario
// without LLM serving.
WorkloadPeak measure_workload_peak(const Scenario& scenario, Time window);

struct ReplicaBound {
  bool applies = false;  // one serving pool and a workload to carry
  int batch = 0;         // sequences one replica holds at the mean lengths (limits and KV cache)
  double replica_output_tokens_per_s = 0;
  int min_replicas = 1;
};

ReplicaBound replica_throughput_bound(const Scenario& candidate, const WorkloadPeak& peak);

}  // namespace cs
