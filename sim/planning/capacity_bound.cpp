#include "sim/planning/capacity_bound.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "sim/llm/iteration_model.hpp"

namespace cs {

WorkloadPeak measure_workload_peak(const Scenario& scenario, Time window) {
  WorkloadPeak peak;
  if (scenario.all_serving_pools().empty()) return peak;
  std::map<std::int64_t, double> output_tokens_by_window;
  double input_sum = 0, output_sum = 0;
  for (const InferenceWorkloadSpec* w : scenario.all_workloads()) {
    const auto source = make_request_source(*w, scenario.seed);
    while (auto r = source->next()) {
      if (r->arrival > scenario.simulation.horizon) break;
      ++peak.requests;
      input_sum += static_cast<double>(r->input_tokens);
      output_sum += static_cast<double>(r->output_tokens);
      output_tokens_by_window[r->arrival.count_ns() / window.count_ns()] += static_cast<double>(r->output_tokens);
    }
  }
  if (peak.requests == 0) return peak;
  peak.mean_input_tokens = input_sum / static_cast<double>(peak.requests);
  peak.mean_output_tokens = output_sum / static_cast<double>(peak.requests);
  for (const auto& [index, tokens] : output_tokens_by_window)
    peak.peak_output_tokens_per_s = std::max(peak.peak_output_tokens_per_s, tokens / window.seconds());
  return peak;
}

ReplicaBound replica_throughput_bound(const Scenario& candidate, const WorkloadPeak& peak) {
  ReplicaBound b;
  const auto pools = candidate.all_serving_pools();
  if (pools.size() != 1 || peak.requests == 0 || peak.mean_output_tokens <= 0) return b;
  const ServingPoolSpec& pool = *pools.front();
  const double context = peak.mean_input_tokens + peak.mean_output_tokens;
  const double kv_tokens = pool.replica.kv_cache_bytes / pool.replica.kv_bytes_per_token;
  b.batch = std::max(1, static_cast<int>(std::min<double>(pool.replica.max_num_seqs, std::floor(kv_tokens / context))));
  // Every output token takes one place in a decode step, and a step of the full batch at the
  // mean context takes at least the roofline's time (sim/llm's IterationModel, as
  // estimate_inference prices its decode step; engine overheads only add to it): batch / step
  // time bounds the replica from above, prefill aside (which only lowers it). The loader has
  // already checked that the weights stay resident, so no layer is streamed.
  const IterationModel iteration(pool.model, pool.gpu, pool.precision, pool.plan);
  const double step_s =
      iteration.time(decode_shape(b.batch, peak.mean_input_tokens + peak.mean_output_tokens / 2)).seconds();
  b.replica_output_tokens_per_s = step_s > 0 ? b.batch / step_s : 0;
  if (!(b.replica_output_tokens_per_s > 0)) return b;
  b.applies = true;
  b.min_replicas = std::max(1, static_cast<int>(std::ceil(peak.peak_output_tokens_per_s / b.replica_output_tokens_per_s)));
  return b;
}

}  // namespace cs
