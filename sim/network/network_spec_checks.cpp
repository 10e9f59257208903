#include "sim/network/network_spec_checks.hpp"

#include <memory>
#include <string>

#include "sim/engine/engine.hpp"
#include "sim/network/fabric.hpp"

namespace cs {

std::vector<VertexId> collective_job_group(const Topology& topology, const CollectiveJobSpec& job) {
  const auto gpus = topology.gpus();
  const auto first = static_cast<std::size_t>(job.first_gpu);
  const std::size_t count = job.gpus > 0 ? static_cast<std::size_t>(job.gpus) : gpus.size() - first;
  return {gpus.begin() + static_cast<std::ptrdiff_t>(first), gpus.begin() + static_cast<std::ptrdiff_t>(first + count)};
}

SpecProblems validate(const NetworkSpec& spec) {
  SpecProblems out;
  const auto* cluster = std::get_if<ClusterSpec>(&spec.topology.layout);
  if (spec.tuning.sharp != SharpGeneration::kNone && cluster && cluster->fabric.link_kind != LinkKind::kInfiniBand)
    out.push_back({"collectives.tuning.sharp", "in-network reduction (SHARP) needs an InfiniBand fabric; this one is " +
                                                   std::string(to_string(cluster->fabric.link_kind))});
  if (spec.jobs.empty()) return out;
  // A job that names its algorithm is asked of the cost model on an idle fabric, built only then.
  const Topology topology = build_topology(spec.topology);
  Engine engine(0);
  std::unique_ptr<Fabric> fabric;
  for (std::size_t i = 0; i < spec.jobs.size(); ++i) {
    const CollectiveJobSpec& job = spec.jobs[i];
    const std::string key = "collectives.jobs[" + std::to_string(i) + "].";
    if (job.start < Time{}) out.push_back({key + "start", "the start must not be negative"});
    if (job.every < Time{}) out.push_back({key + "every", "the period must not be negative"});
    const std::vector<VertexId> group = collective_job_group(topology, job);
    if (job.op == CollectiveOp::kSendRecv && group.size() != 2) {
      out.push_back({key + "gpus", "send_recv runs between two GPUs (a sender and a receiver), not " +
                                       std::to_string(group.size()) + ": give gpus: 2"});
    } else if (job.algorithm != CollectiveAlgorithm::kAuto) {
      if (!fabric) fabric = std::make_unique<Fabric>(engine, spec.topology, spec.tuning);
      if (!fabric->cost_model().supports(job.op, job.algorithm, group))
        out.push_back({key + "algorithm", "algorithm " + std::string(to_string(job.algorithm)) + " cannot run " +
                                              std::string(to_string(job.op)) + " on these " +
                                              std::to_string(group.size()) + " GPUs of this topology"});
    }
  }
  return out;
}

}  // namespace cs
