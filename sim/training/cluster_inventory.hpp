#pragma once
// The cluster's GPUs as the scheduler allocates them: nodes (GPU count, GPU type, the leaf
// switch they hang off), each GPU's free share in thousandths (so GPU-sharing pods can be
// bin-packed), and node states (in service, down, spare). Who holds each GPU is kept in its
// GpuLedger (one owner at a time: free, a job, a serving replica, a loan, down, spare), moved
// here and only here as GPUs are allocated, handed over and released and as nodes change state.
// In co-location it is the run's one ledger: serving's replicas hold their lent GPUs in it.
//
// Fragmentation (our definition, after Weng et al., "Beware of Fragmentation", ATC 2023,
// simplified to need no workload model): the share of the free GPUs that sit in nodes that are
// partly in use, i.e. free GPUs that a whole-node job cannot use:
//   fragmentation = (free whole GPUs on partly used in-service nodes) / (free whole GPUs)
// and 0 when nothing is free. GPUs partly taken by sharing pods count as used.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/training/gpu_ledger.hpp"
#include "topology/topology_graph.hpp"

namespace cs {

enum class NodeState : std::uint8_t { kInService, kDown, kSpare };

struct InventoryNode {
  int gpus = 0;
  int leaf = 0;  // tier-0 switch group; nodes with equal leaf share a switch
  std::string gpu_type;
  int first_gpu = 0;  // global index of its GPU 0 (GPUs are numbered node-major)
};

// A GPU by its global index (node-major: node n's GPUs are first_gpu .. first_gpu + gpus - 1).
using GpuIndex = int;

class ClusterInventory {
 public:
  static constexpr int kMilliPerGpu = 1000;

  // A cluster without a graph: `nodes` nodes of `gpus_per_node` GPUs, `nodes_per_leaf`
  // consecutive nodes per leaf switch (a 6,000-GPU cluster needs no Topology).
  static ClusterInventory uniform(int nodes, int gpus_per_node, int nodes_per_leaf, std::string gpu_type = {});
  // From a built topology: a node per VertexInfo::node of its GPU vertices; its leaf is the
  // tier-0 switch its lowest-numbered NIC attaches to (for a rail-optimized fabric, rail 0's
  // switch: the rail group); nodes without a NIC are each their own leaf. GPU global indices
  // are node-major (nodes by id, GPUs in topology order); vertex_of() maps them back.
  static ClusterInventory from_topology(const Topology& topology, std::string gpu_type = {});

  explicit ClusterInventory(std::vector<InventoryNode> nodes);

  int node_count() const { return static_cast<int>(nodes_.size()); }
  int gpu_count() const { return static_cast<int>(milli_free_.size()); }
  int leaf_count() const { return leaf_count_; }
  int max_gpus_per_node() const { return max_gpus_per_node_; }
  const InventoryNode& node(int n) const { return nodes_[static_cast<std::size_t>(n)]; }
  NodeState state(int n) const { return state_[static_cast<std::size_t>(n)]; }
  int node_of(GpuIndex g) const { return gpu_node_[static_cast<std::size_t>(g)]; }
  // The topology vertex of a GPU (from_topology), else the global index itself.
  VertexId vertex_of(GpuIndex g) const;

  // --- Allocation (the scheduler's placement decides which; the inventory only counts).
  int milli_free(GpuIndex g) const { return milli_free_[static_cast<std::size_t>(g)]; }
  bool schedulable(int n) const { return state(n) == NodeState::kInService; }
  // Whole free GPUs of node n (0 unless in service).
  int free_gpus(int n) const;
  // `by`: the job or loan taking / giving back the GPU (a share below a whole GPU is held by
  // the sharing pods together: kTraining id 0 in the ledger).
  void allocate(GpuIndex g, int milli, GpuHolder by = {GpuOwner::kTraining, 0});
  void release(GpuIndex g, int milli, GpuHolder by = {GpuOwner::kTraining, 0});
  // A whole GPU `from` holds passes to `to` (a loan to the replica it was lent for); its
  // allocation does not change.
  void hand_over(GpuIndex g, GpuHolder from, GpuHolder to);
  // Who holds each GPU, by global index.
  const GpuLedger& ledger() const { return ledger_; }

  // --- Node states. The last `count` nodes become spares (call before any allocation).
  void reserve_spares(int count);
  // A node leaves service (its GPUs must already be released by the scheduler). If a spare
  // is idle it enters service in its place; returns that spare's index or -1.
  int set_down(int n);
  // A repaired node refills the spare pool when it is below its size, else enters service.
  void set_up(int n);

  // --- Counts for timelines (in-service nodes only unless said).
  int free_whole_gpus() const { return free_whole_; }                    // milli_free == 1000
  int allocated_gpus() const { return in_service_gpus_ - free_whole_; }  // any share taken
  double allocated_gpu_shares() const { return static_cast<double>(allocated_milli_) / kMilliPerGpu; }
  int in_service_gpus() const { return in_service_gpus_; }
  int down_gpus() const { return down_gpus_; }
  int spare_gpus() const { return spare_gpus_; }
  int idle_spare_nodes() const { return static_cast<int>(spares_idle_.size()); }
  // Free whole GPUs on in-service nodes that are entirely free.
  int free_gpus_on_empty_nodes() const { return free_on_empty_; }
  double fragmentation() const;
  // In-service nodes with at least k whole free GPUs (k in 0..max_gpus_per_node): O(1).
  int nodes_with_free_at_least(int k) const;
  // Whether some in-service GPU has at least `milli` free: O(1) when a whole GPU is free.
  bool any_gpu_with_free(int milli) const;

 private:
  void node_free_changed(int n, int before, int after);
  // The node's GPUs that the ledger has as `from` (free, down or spare) become `to`.
  void move_node(int n, GpuOwner from, GpuOwner to);
  void enter_service(int n);
  void leave_service(int n);

  std::vector<InventoryNode> nodes_;
  std::vector<NodeState> state_;
  std::vector<int> milli_free_;                             // per GPU
  std::vector<int> gpu_node_;                               // per GPU
  std::vector<VertexId> vertex_;                            // per GPU, empty for uniform()
  std::vector<int> node_free_;                              // whole free GPUs per node (regardless of state)
  std::vector<int> nodes_by_free_;                          // in-service nodes with exactly k whole free GPUs
  std::array<int, kMilliPerGpu + 1> gpus_by_milli_free_{};  // in-service GPUs by free share
  std::vector<int> spares_idle_;                            // spare nodes, lowest index last out
  int spare_target_ = 0;
  int leaf_count_ = 0;
  int max_gpus_per_node_ = 0;
  int free_whole_ = 0;
  int free_on_empty_ = 0;
  int in_service_gpus_ = 0;
  int down_gpus_ = 0;
  int spare_gpus_ = 0;
  std::int64_t allocated_milli_ = 0;
  GpuLedger ledger_{0};
};

}  // namespace cs
