#include "sim/training/network_speed_model.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "sim/network/flow_class.hpp"
#include "sim/training/dp_traffic.hpp"

namespace cs {

NetworkSpeedModel::NetworkSpeedModel(const Topology& topo, LinkEfficiency efficiency, CollectiveTuning tuning,
                                     CollectiveAlgorithm dp_algorithm)
    : topo_(topo), efficiency_(efficiency), model_(topo, efficiency, std::move(tuning), dp_algorithm), router_(topo) {
  sum_kind_capacities();
}

NetworkSpeedModel::NetworkSpeedModel(Fabric& fabric, CollectiveAlgorithm dp_algorithm)
    : topo_(fabric.topology()),
      efficiency_(fabric.efficiency()),
      model_(fabric.topology(), fabric.idle_cost_model(), fabric.tuning(), dp_algorithm),
      router_(fabric.topology()) {
  sum_kind_capacities();
  carry_on(fabric.network());
  // The jobs' routes are chosen as the fabric chooses any flow's: adaptively, on the load the
  // network carries when a job first runs, its own members spread over the equal-cost paths.
  if (fabric.network().adaptive_routing()) fabric.network().lend_load(router_);
}

void NetworkSpeedModel::sum_kind_capacities() {
  for (std::size_t l = 0; l < topo_.link_count(); ++l)
    kind_capacity_[static_cast<std::size_t>(topo_.link(static_cast<LinkId>(l)).kind)] +=
        link_capacity(static_cast<LinkId>(l));
}

NetworkSpeedModel::Key NetworkSpeedModel::solo_key(const RunningTrainingJob& job) {
  Key key;
  key.emplace_back(job.job_id, std::vector<VertexId>(job.gpus.begin(), job.gpus.end()));
  return key;
}

void NetworkSpeedModel::add_handoffs(const RunningTrainingJob& job, FlowClassLinks& boundary, FlowClassLinks& wrap,
                                     FlowClassLinks& all) {
  const TrainingParallelism& par = job.spec->parallel;
  if (par.pp < 2) return;
  const RankLayout layout = rank_layout(par, job.gpus);
  auto add = [&](FlowClassLinks& links, VertexId a, VertexId b) {
    if (topo_.vertex(a).node == topo_.vertex(b).node) return;  // inside a node: NVLink, not carried
    for (const auto& [from, to] : {std::pair{a, b}, std::pair{b, a}}) {
      const Route r = router_.route(from, to);  // its links are valid until the next route
      links.add(r);
      all.add(r);
    }
  };
  for (int r = 0; r < par.dp; ++r)
    for (int c = 0; c < par.cp; ++c)
      for (int t = 0; t < par.tp; ++t) {
        for (int d = 0; d + 1 < par.pp; ++d) add(boundary, layout.gpu(r, d, t, c), layout.gpu(r, d + 1, t, c));
        if (par.virtual_stages > 1) add(wrap, layout.gpu(r, par.pp - 1, t, c), layout.gpu(r, 0, t, c));
      }
}

const NetworkSpeedModel::HandoffClass& NetworkSpeedModel::handoff_class(const RunningTrainingJob& job) {
  Key key = solo_key(job);
  if (auto it = handoff_cache_.find(key); it != handoff_cache_.end()) return it->second;
  HandoffClass h;
  if (job.spec->parallel.pp > 1) {
    FlowClassLinks boundary(topo_.link_count()), wrap(topo_.link_count()), all(topo_.link_count());
    add_handoffs(job, boundary, wrap, all);
    h.boundary.assign(boundary.links().begin(), boundary.links().end());
    h.wrap.assign(wrap.links().begin(), wrap.links().end());
    h.links.assign(all.links().begin(), all.links().end());
    h.alone = FlowNetwork::kUnlimited;
    for (const auto& [l, count] : h.links) h.alone = std::min(h.alone, link_capacity(l) / count);
  }
  if (handoff_cache_.size() >= kCacheLimit) handoff_cache_.clear();
  return handoff_cache_.emplace(std::move(key), std::move(h)).first->second;
}

const NetworkSpeedModel::DpClass& NetworkSpeedModel::dp_class(const RunningTrainingJob& job) {
  Key key = solo_key(job);
  if (auto it = dp_cache_.find(key); it != dp_cache_.end()) return it->second;
  DpClass d;
  const TrainingParallelism& par = job.spec->parallel;
  if (par.dp * par.cp > 1) {
    const RankLayout layout = rank_layout(par, job.gpus);
    // DP groups are laid out alike: the first one's algorithms and protocols stand for all.
    const std::vector<DpCollective> plan = model_.dp_plan(*job.spec, layout.dp_groups.front());
    std::map<LinkId, double> all, first;
    // Each group routed once (adaptive routes depend on what was routed before them): the
    // first one alone, then the rest on top of it.
    for (std::size_t g = 0; g < layout.dp_groups.size(); ++g) {
      for (DpCollective c : plan) {
        c.request.group = layout.dp_groups[g];
        add_dp_traffic(router_, model_.tuning(), c, g == 0 ? first : all);
      }
      if (g == 0) all = first;
    }
    if (!all.empty()) {
      d.link_bytes.assign(all.begin(), all.end());
      d.unit = d.link_bytes.front().second;
      for (const auto& [l, b] : d.link_bytes) d.unit = std::min(d.unit, b);
      d.alone = FlowNetwork::kUnlimited;
      for (const auto& [l, b] : d.link_bytes) {
        d.links.push_back({l, static_cast<std::uint32_t>(std::max(1.0, std::round(b / d.unit)))});
        d.alone = std::min(d.alone, link_capacity(l) / d.links.back().count);
      }
      // The cost model prices one group as if alone on its links; where the job's own groups
      // share a link, the class's bandwidth term alone is longer than that group's.
      double one = 0;
      for (const auto& [l, b] : first) one = std::max(one, b / link_capacity(l));
      const double together = d.unit / d.alone;
      if (together > one * (1 + kRoundingTolerance)) d.own_sharing_s = together - one;
    }
  }
  if (dp_cache_.size() >= kCacheLimit) dp_cache_.clear();
  return dp_cache_.emplace(std::move(key), std::move(d)).first->second;
}

std::vector<double> NetworkSpeedModel::probe(std::span<const RunningTrainingJob> running,
                                             std::span<const Probe> probes,
                                             std::map<std::uint64_t, ClassRate>& rates) {
  std::vector<double> extra(running.size(), 0);
  std::vector<FlowId> flows(running.size(), FlowNetwork::kNoFlow);
  bool any = false;
  for (std::size_t j = 0; j < running.size(); ++j) {
    if (probes[j].links.empty()) continue;
    // Asking for what its links give it alone: the most the class can move.
    flows[j] = carrier_->start_standing_class(probes[j].links, probes[j].alone);
    any = true;
  }
  if (!any) return extra;
  carrier_->settle();
  for (std::size_t j = 0; j < running.size(); ++j) {
    if (flows[j] == FlowNetwork::kNoFlow) continue;
    const double granted = carrier_->rate(flows[j]);
    carrier_->stop(flows[j]);
    const double alone = probes[j].alone;
    rates[running[j].job_id] = {alone, granted};
    // Within the max-min filling's rounding of the rate alone: no one else on its links.
    if (granted > 0 && granted < alone * (1 - kRoundingTolerance)) extra[j] = 1 / granted - 1 / alone;
  }
  return extra;
}

bool NetworkSpeedModel::contend(std::span<const RunningTrainingJob> running,
                                std::vector<TrainingIterationResult>& timed) {
  dp_rates_.clear();
  handoff_rates_.clear();
  std::vector<Probe> probes(running.size());
  std::vector<double> units(running.size(), 0);
  bool any = false;
  for (std::size_t j = 0; j < running.size(); ++j) {
    const DpClass& d = dp_class(running[j]);
    probes[j] = {d.links, d.alone};
    units[j] = d.unit;
    any = any || !d.links.empty();
  }
  // The DP round, then the hand-offs' (they do not coincide within an iteration).
  const std::vector<double> dp_extra = probe(running, probes, dp_rates_);
  for (std::size_t j = 0; j < running.size(); ++j) {
    const HandoffClass& h = handoff_class(running[j]);
    probes[j] = {h.links, h.alone};
    any = any || !h.links.empty();
  }
  const std::vector<double> pp_extra = probe(running, probes, handoff_rates_);
  for (std::size_t j = 0; j < running.size(); ++j) {
    if (dp_extra[j] == 0 && pp_extra[j] == 0) continue;
    timed[j] = model_.time_contended(*running[j].spec, running[j].gpus,
                                     timed[j].dp_comm_s + units[j] * dp_extra[j], pp_extra[j]);
  }
  return any;
}

std::optional<NetworkSpeedModel::ClassRate> NetworkSpeedModel::handoff_rate(std::uint64_t job_id) const {
  const auto it = handoff_rates_.find(job_id);
  if (it == handoff_rates_.end()) return std::nullopt;
  return it->second;
}

std::optional<NetworkSpeedModel::ClassRate> NetworkSpeedModel::dp_rate(std::uint64_t job_id) const {
  const auto it = dp_rates_.find(job_id);
  if (it == dp_rates_.end()) return std::nullopt;
  return it->second;
}

const std::vector<std::pair<LinkId, double>>& NetworkSpeedModel::carried_link_bytes(const RunningTrainingJob& job) {
  Key key = solo_key(job);
  if (auto it = link_bytes_cache_.find(key); it != link_bytes_cache_.end()) return it->second;
  std::map<LinkId, double> bytes;
  for (const auto& [l, b] : dp_class(job).link_bytes) bytes[l] += b;
  const TrainingParallelism& par = job.spec->parallel;
  if (par.pp > 1) {
    // Every pair moves the same bytes (activations forward, as many gradient bytes back): the
    // stage boundaries, and interleaving's wrap from the last device to the first (v - 1 of
    // the v chunk crossings).
    const double boundary_bytes = pp_handoff_bytes(*job.spec);
    const double wrap_bytes = boundary_bytes * (par.virtual_stages - 1) / par.virtual_stages;
    const HandoffClass& h = handoff_class(job);
    for (const auto& [l, count] : h.boundary) bytes[l] += count * boundary_bytes;
    for (const auto& [l, count] : h.wrap) bytes[l] += count * wrap_bytes;
  }
  if (link_bytes_cache_.size() >= kCacheLimit) link_bytes_cache_.clear();
  return link_bytes_cache_.emplace(std::move(key), std::vector<std::pair<LinkId, double>>(bytes.begin(), bytes.end()))
      .first->second;
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
  std::vector<TrainingIterationResult> out;
  out.reserve(running.size());
  for (const RunningTrainingJob& job : running) {
    if (!job.spec) throw std::invalid_argument("running training job without a spec");
    Key key = solo_key(job);
    if (auto it = cache_.find(key); it != cache_.end()) {
      out.push_back(it->second);
      continue;
    }
    ++evaluations_;
    TrainingIterationResult r = model_.time(*job.spec, job.gpus);
    if (const double own = dp_class(job).own_sharing_s; own > 0)
      r = model_.time_with_dp(*job.spec, job.gpus, r.dp_comm_s + own);
    // Running sets rarely repeat far apart in time: a bounded cache keeps memory flat in long runs.
    if (cache_.size() >= kCacheLimit) cache_.clear();
    out.push_back(cache_.emplace(std::move(key), std::move(r)).first->second);
  }
  return out;
}

std::vector<IterationBreakdown> NetworkSpeedModel::iterations(std::span<const RunningTrainingJob> running) {
  last_ = results(running);
  if (carrier_) {
    // Every rate may have moved with the set: the running jobs' classes start afresh, after
    // the jobs have been timed against everything else on the network.
    for (const auto& [id, flow] : standing_) carrier_->stop(flow);
    standing_.clear();
    const bool probed = contend(running, last_);
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
