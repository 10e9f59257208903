#include "sim/training/network_speed_model.hpp"

#include <algorithm>
#include <stdexcept>

#include "sim/network/collectives.hpp"

namespace cs {

namespace {

// One DP group's collectives, run one after the other.
struct Chain {
  std::vector<CollectiveRequest> requests;
  std::size_t next = 0;
  std::size_t job = 0;
};

struct ChainRun {
  Collectives* collectives = nullptr;
  Engine* engine = nullptr;
  std::vector<Chain> chains;
  std::vector<double> finish_s;

  void step(std::size_t i) {
    Chain& c = chains[i];
    if (c.next == c.requests.size()) {
      finish_s[c.job] = std::max(finish_s[c.job], engine->now().seconds());
      return;
    }
    const CollectiveRequest& r = c.requests[c.next++];
    collectives->start(r, [this, i] { step(i); });
  }
};

}  // namespace

NetworkSpeedModel::NetworkSpeedModel(const Topology& topo, LinkEfficiency efficiency, CollectiveTuning tuning,
                                     CollectiveAlgorithm dp_algorithm)
    : topo_(topo),
      efficiency_(efficiency),
      tuning_(tuning),
      dp_algorithm_(dp_algorithm),
      model_(topo, efficiency, tuning, dp_algorithm) {}

std::vector<double> NetworkSpeedModel::contended_dp_seconds(std::span<const RunningTrainingJob> running) {
  Router router(topo_);
  Engine engine(1);
  FlowNetwork network(engine, router, efficiency_);
  Collectives collectives(network, tuning_);
  ChainRun run;
  run.collectives = &collectives;
  run.engine = &engine;
  run.finish_s.assign(running.size(), 0);
  for (std::size_t j = 0; j < running.size(); ++j) {
    const RunningTrainingJob& job = running[j];
    if (!job.spec) throw std::invalid_argument("running training job without a spec");
    const RankLayout layout = rank_layout(job.spec->parallel, job.gpus);
    if (layout.dp < 2) continue;
    for (const std::vector<VertexId>& group : layout.dp_groups) {
      Chain c;
      c.job = j;
      c.requests = dp_reduction_collectives(*job.spec, group);
      for (CollectiveRequest& r : c.requests)
        if (dp_algorithm_ != CollectiveAlgorithm::kAuto &&
            collectives.cost_model().supports(r.op, dp_algorithm_, r.group))
          r.algorithm = dp_algorithm_;
      run.chains.push_back(std::move(c));
    }
  }
  for (std::size_t i = 0; i < run.chains.size(); ++i) run.step(i);
  engine.run();
  for (const Chain& c : run.chains)
    if (c.next != c.requests.size() || collectives.running() != 0)
      throw std::logic_error("a DP reduction did not complete");
  return run.finish_s;
}

std::vector<TrainingIterationResult> NetworkSpeedModel::results(std::span<const RunningTrainingJob> running) {
  Key key;
  key.reserve(running.size());
  for (const RunningTrainingJob& job : running)
    key.emplace_back(job.job_id, std::vector<VertexId>(job.gpus.begin(), job.gpus.end()));
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  ++evaluations_;
  const std::vector<double> dp = contended_dp_seconds(running);
  std::vector<TrainingIterationResult> out;
  out.reserve(running.size());
  for (std::size_t j = 0; j < running.size(); ++j)
    out.push_back(model_.time_with_dp(*running[j].spec, running[j].gpus, dp[j]));
  // Running sets rarely repeat far apart in time: a bounded cache keeps memory flat in long runs.
  if (cache_.size() >= kCacheLimit) cache_.clear();
  cache_.emplace(std::move(key), out);
  return out;
}

std::vector<IterationBreakdown> NetworkSpeedModel::iterations(std::span<const RunningTrainingJob> running) {
  std::vector<IterationBreakdown> out;
  for (const TrainingIterationResult& r : results(running)) out.push_back(r.breakdown);
  return out;
}

}  // namespace cs
