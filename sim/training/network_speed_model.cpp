#include "sim/training/network_speed_model.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "sim/network/collectives.hpp"
#include "sim/network/flow_class.hpp"

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
      model_(topo, efficiency, tuning, dp_algorithm) {
  for (std::size_t l = 0; l < topo_.link_count(); ++l)
    kind_capacity_[static_cast<std::size_t>(topo_.link(static_cast<LinkId>(l)).kind)] +=
        link_capacity(static_cast<LinkId>(l));
}

struct NetworkSpeedModel::Scratch {
  Engine engine{1};
  Router router;
  FlowNetwork network;
  Collectives collectives;
  Scratch(const Topology& topo, const LinkEfficiency& efficiency, const CollectiveTuning& tuning)
      : router(topo), network(engine, router, efficiency), collectives(network, tuning) {}
};

std::vector<double> NetworkSpeedModel::run_dp(Scratch& scratch, std::span<const RunningTrainingJob> running) const {
  Collectives& collectives = scratch.collectives;
  ChainRun run;
  run.collectives = &collectives;
  run.engine = &scratch.engine;
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
  scratch.engine.run();
  for (const Chain& c : run.chains)
    if (c.next != c.requests.size() || collectives.running() != 0)
      throw std::logic_error("a DP reduction did not complete");
  return run.finish_s;
}

NetworkSpeedModel::Key NetworkSpeedModel::solo_key(const RunningTrainingJob& job) {
  Key key;
  key.emplace_back(job.job_id, std::vector<VertexId>(job.gpus.begin(), job.gpus.end()));
  return key;
}

std::vector<double> NetworkSpeedModel::contended_dp_seconds(std::span<const RunningTrainingJob> running) {
  Scratch scratch(topo_, efficiency_, tuning_);
  std::vector<double> dp = run_dp(scratch, running);
  // One job alone: its what-if run is also its solo traffic, which the link timelines need.
  if (running.size() == 1) remember_link_bytes(running[0], scratch);
  return dp;
}

void NetworkSpeedModel::add_handoffs(Router& router, const RunningTrainingJob& job, FlowClassLinks& boundary,
                                     FlowClassLinks& wrap) const {
  const TrainingParallelism& par = job.spec->parallel;
  if (par.pp < 2) return;
  const RankLayout layout = rank_layout(par, job.gpus);
  auto add = [&](FlowClassLinks& links, VertexId a, VertexId b) {
    if (topo_.vertex(a).node == topo_.vertex(b).node) return;  // inside a node: NVLink, not carried
    links.add(router.route(a, b));
    links.add(router.route(b, a));
  };
  for (int r = 0; r < par.dp; ++r)
    for (int c = 0; c < par.cp; ++c)
      for (int t = 0; t < par.tp; ++t) {
        for (int d = 0; d + 1 < par.pp; ++d) add(boundary, layout.gpu(r, d, t, c), layout.gpu(r, d + 1, t, c));
        if (par.virtual_stages > 1) add(wrap, layout.gpu(r, par.pp - 1, t, c), layout.gpu(r, 0, t, c));
      }
}

void NetworkSpeedModel::run_pp(Scratch& scratch, const RunningTrainingJob& job) const {
  const TrainingParallelism& par = job.spec->parallel;
  if (par.pp < 2) return;
  // Every pair moves the same bytes (activations forward, as many gradient bytes back): one
  // flow class for the stage boundaries, one for interleaving's wrap from the last device to
  // the first (v - 1 of the v chunk crossings).
  const double bytes = pp_handoff_bytes(*job.spec);
  const double wrap_bytes = bytes * (par.virtual_stages - 1) / par.virtual_stages;
  FlowClassLinks boundary(topo_.link_count()), wrap(topo_.link_count());
  add_handoffs(scratch.router, job, boundary, wrap);
  if (!boundary.empty()) scratch.network.start_class(boundary.links(), bytes, {}, Time{});
  if (!wrap.empty()) scratch.network.start_class(wrap.links(), wrap_bytes, {}, Time{});
  scratch.engine.run();
}

const NetworkSpeedModel::HandoffClass& NetworkSpeedModel::handoff_class(const RunningTrainingJob& job) {
  Key key = solo_key(job);
  if (auto it = handoff_cache_.find(key); it != handoff_cache_.end()) return it->second;
  HandoffClass h;
  if (job.spec->parallel.pp > 1) {
    Router router(topo_);
    FlowClassLinks all(topo_.link_count());
    add_handoffs(router, job, all, all);
    h.links.assign(all.links().begin(), all.links().end());
    h.alone = FlowNetwork::kUnlimited;
    for (const auto& [l, count] : h.links) h.alone = std::min(h.alone, link_capacity(l) / count);
  }
  if (handoff_cache_.size() >= kCacheLimit) handoff_cache_.clear();
  return handoff_cache_.emplace(std::move(key), std::move(h)).first->second;
}

bool NetworkSpeedModel::contend_handoffs(std::span<const RunningTrainingJob> running,
                                         std::vector<TrainingIterationResult>& timed) {
  handoff_rates_.clear();
  std::vector<FlowId> probe(running.size(), FlowNetwork::kNoFlow);
  std::vector<double> alone(running.size(), 0);
  bool any = false;
  for (std::size_t j = 0; j < running.size(); ++j) {
    const HandoffClass& h = handoff_class(running[j]);
    if (h.links.empty()) continue;
    // Asking for what its links give it alone: the most a hand-off can move.
    probe[j] = carrier_->start_standing_class(h.links, h.alone);
    alone[j] = h.alone;
    any = true;
  }
  if (!any) return false;
  carrier_->settle();
  for (std::size_t j = 0; j < running.size(); ++j) {
    if (probe[j] == FlowNetwork::kNoFlow) continue;
    const double granted = carrier_->rate(probe[j]);
    carrier_->stop(probe[j]);
    handoff_rates_[running[j].job_id] = {alone[j], granted};
    // Within the max-min filling's rounding of the rate alone: no one else on its links.
    if (!(granted > 0) || granted >= alone[j] * (1 - kRoundingTolerance)) continue;
    timed[j] =
        model_.time_contended(*running[j].spec, running[j].gpus, timed[j].dp_comm_s, 1 / granted - 1 / alone[j]);
  }
  return true;
}

std::optional<NetworkSpeedModel::HandoffRate> NetworkSpeedModel::handoff_rate(std::uint64_t job_id) const {
  const auto it = handoff_rates_.find(job_id);
  if (it == handoff_rates_.end()) return std::nullopt;
  return it->second;
}

const std::vector<std::pair<LinkId, double>>& NetworkSpeedModel::remember_link_bytes(const RunningTrainingJob& job,
                                                                                     Scratch& scratch) {
  Key key = solo_key(job);
  if (auto it = link_bytes_cache_.find(key); it != link_bytes_cache_.end()) return it->second;
  run_pp(scratch, job);
  std::vector<std::pair<LinkId, double>> bytes;
  for (std::size_t l = 0; l < topo_.link_count(); ++l) {
    const double b = scratch.network.link_bytes(static_cast<LinkId>(l));
    if (b > 0) bytes.emplace_back(static_cast<LinkId>(l), b);
  }
  if (link_bytes_cache_.size() >= kCacheLimit) link_bytes_cache_.clear();
  return link_bytes_cache_.emplace(std::move(key), std::move(bytes)).first->second;
}

const std::vector<std::pair<LinkId, double>>& NetworkSpeedModel::carried_link_bytes(const RunningTrainingJob& job) {
  if (auto it = link_bytes_cache_.find(solo_key(job)); it != link_bytes_cache_.end()) return it->second;
  Scratch scratch(topo_, efficiency_, tuning_);
  run_dp(scratch, {&job, 1});
  return remember_link_bytes(job, scratch);
}

double NetworkSpeedModel::link_capacity(LinkId l) const {
  const LinkInfo& info = topo_.link(l);
  return info.bandwidth_bytes_per_s * efficiency_.fraction(info.kind);
}

std::vector<LinkKind> NetworkSpeedModel::link_kinds() const {
  std::vector<LinkKind> kinds;
  for (int k = 0; k < kLinkKindCount; ++k)
    if (kind_capacity_[static_cast<std::size_t>(k)] > 0) kinds.push_back(static_cast<LinkKind>(k));
  return kinds;
}

NetworkSpeedModel::LinkLoad NetworkSpeedModel::link_load(std::span<const RunningTrainingJob> running,
                                                         std::span<const double> iteration_s, std::size_t top) {
  if (iteration_s.size() != running.size()) throw std::invalid_argument("link_load: one iteration time per job");
  std::map<LinkId, double> rate;  // bytes/s
  for (std::size_t j = 0; j < running.size(); ++j) {
    if (!(iteration_s[j] > 0)) continue;
    for (const auto& [l, b] : carried_link_bytes(running[j])) {
      if (carrier_)
        rate[l] = carrier_->link_rate(l);
      else
        rate[l] += b / iteration_s[j];
    }
  }
  LinkLoad load;
  for (const auto& [l, r] : rate) {
    const auto k = static_cast<std::size_t>(topo_.link(l).kind);
    load.kind_utilization[k] += r;
    load.busiest.emplace_back(l, r / link_capacity(l));
  }
  for (std::size_t k = 0; k < load.kind_utilization.size(); ++k)
    load.kind_utilization[k] = kind_capacity_[k] > 0 ? load.kind_utilization[k] / kind_capacity_[k] : 0.0;
  std::stable_sort(load.busiest.begin(), load.busiest.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (load.busiest.size() > top) load.busiest.resize(top);
  return load;
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
  last_ = results(running);
  if (carrier_) {
    // Every rate may have moved with the set: the running jobs' classes start afresh, after
    // the hand-offs have been timed against everything else on the network.
    for (const auto& [id, flow] : standing_) carrier_->stop(flow);
    standing_.clear();
    const bool probed = contend_handoffs(running, last_);
    carry(running, last_);
    // The probes' links settled with them on: what else crosses those links reads its rate
    // again within this instant.
    if (probed) carrier_->settle();
  }
  std::vector<IterationBreakdown> out;
  for (const TrainingIterationResult& r : last_) out.push_back(r.breakdown);
  return out;
}

void NetworkSpeedModel::carry_on(FlowNetwork& network) {
  if (&network.topology() != &topo_ && network.topology().link_count() != topo_.link_count())
    throw std::invalid_argument("training traffic: the carrying network is over another topology");
  carrier_ = &network;
}

FlowId NetworkSpeedModel::standing_flow(std::uint64_t job_id) const {
  const auto it = standing_.find(job_id);
  return it == standing_.end() ? FlowNetwork::kNoFlow : it->second;
}

void NetworkSpeedModel::carry(std::span<const RunningTrainingJob> running,
                              std::span<const TrainingIterationResult> timed) {
  std::vector<FlowNetwork::ClassLink> links;
  for (std::size_t j = 0; j < running.size(); ++j) {
    const double iteration_s = timed[j].breakdown.total_s();
    const auto& bytes = carried_link_bytes(running[j]);
    if (bytes.empty() || !(iteration_s > 0)) continue;
    double unit = bytes.front().second;
    for (const auto& [l, b] : bytes) unit = std::min(unit, b);
    links.clear();
    for (const auto& [l, b] : bytes)
      links.push_back({l, static_cast<std::uint32_t>(std::max(1.0, std::round(b / unit)))});
    standing_[running[j].job_id] = carrier_->start_standing_class(links, unit / iteration_s);
  }
}

}  // namespace cs
