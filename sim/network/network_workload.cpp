#include "sim/network/network_workload.hpp"

#include <algorithm>

#include "sim/network/collective_runner.hpp"
#include "sim/network/network_spec_checks.hpp"

namespace cs {

NetworkWorkload::NetworkWorkload(Fabric& fabric, const NetworkSpec& spec)
    : engine_(fabric.engine()),
      fabric_(fabric),
      spec_(spec),
      last_start_(spec.jobs.size()),
      launched_(spec.jobs.size(), 0) {
  fabric_.collectives().on_complete.connect([this](const CollectiveRecord& r) {
    const auto it = job_of_.find(r.id);
    if (it == job_of_.end()) return;  // another user's collective on the shared fabric
    const std::size_t job = it->second;
    job_of_.erase(it);
    on_collective.emit(r, job);
    const CollectiveJobSpec& j = spec_.jobs[job];
    const Time next = std::max(engine_.now(), last_start_[job] + j.every);
    if (next < horizon_ && (j.count == 0 || launched_[job] < j.count))
      engine_.schedule_at(next, [this, job] { launch(job); });
  });
}

NetworkWorkload::~NetworkWorkload() = default;

std::vector<VertexId> NetworkWorkload::group_of(const CollectiveJobSpec& job) const {
  return collective_job_group(fabric_.topology(), job);
}

void NetworkWorkload::start(Time horizon) {
  horizon_ = horizon;
  for (std::size_t j = 0; j < spec_.jobs.size(); ++j)
    if (spec_.jobs[j].start < horizon) engine_.schedule_at(spec_.jobs[j].start, [this, j] { launch(j); });
}

void NetworkWorkload::launch(std::size_t job) {
  const CollectiveJobSpec& j = spec_.jobs[job];
  last_start_[job] = engine_.now();
  ++launched_[job];
  ++started_;
  const std::uint64_t id = fabric_.collectives().start({j.op, group_of(j), j.bytes, j.algorithm, j.root});
  job_of_.emplace(id, job);
}

std::vector<LinkId> NetworkWorkload::probe_busiest_links(std::size_t k) const {
  std::vector<LinkId> out;
  if (k == 0) return out;
  CollectiveRunner runner(fabric_.topology(), spec_.topology.efficiency, spec_.tuning);
  std::vector<std::vector<LinkId>> per_job;
  for (const auto& j : spec_.jobs) per_job.push_back(runner.run({j.op, group_of(j), j.bytes, j.algorithm, j.root}, k).busiest_links);
  // Round robin over the jobs' lists, so every job is represented.
  for (std::size_t i = 0; out.size() < k; ++i) {
    bool any = false;
    for (const auto& list : per_job)
      if (i < list.size()) {
        any = true;
        if (std::find(out.begin(), out.end(), list[i]) == out.end() && out.size() < k) out.push_back(list[i]);
      }
    if (!any) break;
  }
  return out;
}

std::vector<LinkKind> NetworkWorkload::link_kinds() const {
  std::vector<LinkKind> out;
  for (int k = 0; k < kLinkKindCount; ++k)
    if (fabric_.network().kind_capacity(static_cast<LinkKind>(k)) > 0) out.push_back(static_cast<LinkKind>(k));
  return out;
}

}  // namespace cs
