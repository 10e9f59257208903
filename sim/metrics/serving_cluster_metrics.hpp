#pragma once
// Listens to the serving pools of a run, over their own ServingMetrics: the /requests rows of
// requests no pool serves and the /summary. With several pools also the overall timelines
// (unprefixed, beside each pool's `<pool>.` series) and, after the overall figures under the
// single-pool names (the sum of the pools, percentiles over all their requests, peaks of the
// sum), each pool's under `<pool>.`. With one pool the output is that pool's, as it always was.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/io/run_file.hpp"
#include "sim/metrics/serving_metrics.hpp"
#include "sim/metrics/timeline_sampler.hpp"
#include "sim/serving/request_router.hpp"

namespace cs {

struct ServingPoolView {
  std::string name;
  RequestRouter* router;
  ServingMetrics* metrics;
  // The pool's cost as billed (sim/metrics/cost_energy_metrics); empty: GPU-hours x price.
  std::function<double()> cost_usd;
  // A disaggregated deployment's phase pools: the prefill pool's arrivals and losses and the
  // decode pool's completions and latencies are the deployment's requests.
  RequestPhase phase = RequestPhase::kWhole;
};

class ServingClusterMetrics {
 public:
  // Connect after the pools' ServingMetrics, so the GPUs they hold are current when read.
  ServingClusterMetrics(std::vector<ServingPoolView> pools, TimelineSampler& sampler, ColumnarWriter* table,
                        const Engine& engine, Time slo_window = ServingMetrics::kDefaultSloWindow);
  ServingClusterMetrics(const ServingClusterMetrics&) = delete;
  // Its /summary keys and the series summed over several pools.
  static const OutputKeyTable& output_keys();
  ServingClusterMetrics& operator=(const ServingClusterMetrics&) = delete;

  // A request no pool serves: one /requests row with pool -1, counted arrived and rejected.
  void unroutable(const RequestOutcome& o);
  // A pool's replica count or GPUs changed (after that pool's metrics saw it).
  void replicas_changed();

  // After every pool has reported every request.
  void write_summary(RunFile& out, Time end);

 private:
  double sum(double (*read)(const ServingPoolView&)) const;

  std::vector<ServingPoolView> pools_;
  ColumnarWriter* table_;
  std::vector<double> row_;
  std::uint64_t unroutable_ = 0;
  std::int64_t ready_peak_ = 0;
  std::int64_t gpus_peak_ = 0;
  WindowedWorst worst_ttft_p99_;
};

}  // namespace cs
