// Network benchmark: builds 1,024- and 16,384-GPU clusters (DGX H100 nodes on a rail-optimized
// InfiniBand fabric) and simulates, at flow level, a 1 GiB ring all-reduce over all 1,024 GPUs
// and a 1 GiB hierarchical all-reduce over all 16,384. Prints wall time, events, flows and the
// process's peak resident memory so far (getrusage ru_maxrss). Targets: each build < 1 s,
// the 1,024-GPU ring <= 0.3 s (issue 11), the 16,384-GPU hierarchical all-reduce < 10 s.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "sim/network/collective_runner.hpp"
#include "topology/fabric_builder.hpp"

namespace {

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

cs::Topology build(int nodes, double& wall) {
  cs::ClusterSpec spec;
  spec.node = cs::node_preset("dgx_h100");
  spec.nodes = nodes;
  spec.fabric.kind = cs::FabricKind::kRailOptimized;
  const auto t0 = std::chrono::steady_clock::now();
  cs::Topology topo = cs::build_cluster(spec);
  wall = seconds_since(t0);
  std::printf("build   %6zu GPUs  %7zu vertices  %8zu links  wall %.3f s  peak RSS %.0f MiB\n", topo.gpus().size(),
              topo.vertex_count(), topo.link_count(), wall, peak_rss_mib());
  return topo;
}

void collective(const cs::Topology& topo, cs::CollectiveAlgorithm algorithm, double bytes) {
  const auto t0 = std::chrono::steady_clock::now();
  cs::CollectiveRunner runner(topo);
  const std::vector<cs::VertexId> group(topo.gpus().begin(), topo.gpus().end());
  const cs::CollectiveRun run = runner.run({cs::CollectiveOp::kAllReduce, group, bytes, algorithm, 0});
  const double wall = seconds_since(t0);
  std::printf("%-12s all_reduce %6zu GPUs  %.0f MiB  simulated %.3f ms  busbw %.1f GB/s  wall %.3f s  "
              "events %llu  flows %llu  routes %zu  rate updates %llu (mean %.0f flows)  peak RSS %.0f MiB\n",
              std::string(cs::to_string(run.record.algorithm)).c_str(), group.size(), bytes / (1 << 20),
              run.record.seconds() * 1e3, run.record.busbw_bytes_per_s() / 1e9, wall,
              static_cast<unsigned long long>(run.events), static_cast<unsigned long long>(run.flows.flows_started),
              runner.router().cached_routes(), static_cast<unsigned long long>(run.flows.recomputations),
              static_cast<double>(run.flows.flows_recomputed) / static_cast<double>(run.flows.recomputations),
              peak_rss_mib());
}

}  // namespace

int main() {
  const double gib = 1024.0 * 1024 * 1024;
  double wall = 0;
  {
    const cs::Topology topo = build(128, wall);
    collective(topo, cs::CollectiveAlgorithm::kRing, gib);
  }
  {
    const cs::Topology topo = build(2048, wall);
    collective(topo, cs::CollectiveAlgorithm::kHierarchical, gib);
  }
  return 0;
}
