#include "sim/training/cluster_inventory.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace cs {

ClusterInventory ClusterInventory::uniform(int nodes, int gpus_per_node, int nodes_per_leaf, std::string gpu_type) {
  if (nodes < 0 || gpus_per_node < 0 || nodes_per_leaf <= 0)
    throw std::invalid_argument("cluster inventory: counts must be positive");
  std::vector<InventoryNode> list(static_cast<std::size_t>(nodes));
  for (int n = 0; n < nodes; ++n) {
    auto& node = list[static_cast<std::size_t>(n)];
    node.gpus = gpus_per_node;
    node.leaf = n / nodes_per_leaf;
    node.gpu_type = gpu_type;
  }
  return ClusterInventory(std::move(list));
}

ClusterInventory ClusterInventory::from_topology(const Topology& topology, std::string gpu_type) {
  // GPUs grouped by node, nodes by id: GPU global indices come out node-major even if the
  // topology listed GPUs in another order.
  std::map<int, std::vector<VertexId>> gpus_of_node;
  for (VertexId v : topology.gpus()) gpus_of_node[topology.vertex(v).node].push_back(v);
  // The tier-0 switch behind each node's lowest-numbered NIC.
  std::map<int, std::pair<int, VertexId>> first_nic_leaf;  // node -> (NIC local, switch)
  const auto& g = topology.graph();
  for (VertexId v = 0; v < topology.vertex_count(); ++v) {
    const auto& info = topology.vertex(v);
    if (info.kind != VertexKind::kNic || info.node < 0) continue;
    for (auto [e, end] = boost::out_edges(v, g); e != end; ++e) {
      const VertexId to = static_cast<VertexId>(boost::target(*e, g));
      const auto& sw = topology.vertex(to);
      if (sw.kind != VertexKind::kNetworkSwitch || sw.tier != 0) continue;
      auto it = first_nic_leaf.find(info.node);
      if (it == first_nic_leaf.end() || info.local < it->second.first) first_nic_leaf[info.node] = {info.local, to};
      break;
    }
  }
  std::vector<InventoryNode> list;
  std::vector<VertexId> vertices;
  std::map<VertexId, int> leaf_index;
  int lone_leaves = 0;
  std::vector<int> lone;  // nodes without a NIC get leaves after the switched ones
  for (auto& [node_id, gpus] : gpus_of_node) {
    InventoryNode node;
    node.gpus = static_cast<int>(gpus.size());
    node.gpu_type = gpu_type;
    auto it = first_nic_leaf.find(node_id);
    if (it != first_nic_leaf.end()) {
      auto [pos, inserted] = leaf_index.try_emplace(it->second.second, static_cast<int>(leaf_index.size()));
      node.leaf = pos->second;
    } else {
      node.leaf = -1;
      lone.push_back(static_cast<int>(list.size()));
    }
    for (VertexId v : gpus) vertices.push_back(v);
    list.push_back(std::move(node));
  }
  for (int n : lone) list[static_cast<std::size_t>(n)].leaf = static_cast<int>(leaf_index.size()) + lone_leaves++;
  ClusterInventory inventory(std::move(list));
  inventory.vertex_ = std::move(vertices);
  return inventory;
}

ClusterInventory::ClusterInventory(std::vector<InventoryNode> nodes) : nodes_(std::move(nodes)) {
  int gpu = 0;
  for (std::size_t n = 0; n < nodes_.size(); ++n) {
    auto& node = nodes_[n];
    if (node.gpus < 0 || node.leaf < 0) throw std::invalid_argument("cluster inventory: bad node");
    node.first_gpu = gpu;
    gpu += node.gpus;
    max_gpus_per_node_ = std::max(max_gpus_per_node_, node.gpus);
    leaf_count_ = std::max(leaf_count_, node.leaf + 1);
  }
  milli_free_.assign(static_cast<std::size_t>(gpu), kMilliPerGpu);
  ledger_ = GpuLedger(static_cast<std::size_t>(gpu));
  gpu_node_.resize(static_cast<std::size_t>(gpu));
  node_free_.resize(nodes_.size());
  state_.assign(nodes_.size(), NodeState::kDown);  // enter_service() below counts them in
  nodes_by_free_.assign(static_cast<std::size_t>(max_gpus_per_node_ + 1), 0);
  for (std::size_t n = 0; n < nodes_.size(); ++n) {
    for (int i = 0; i < nodes_[n].gpus; ++i)
      gpu_node_[static_cast<std::size_t>(nodes_[n].first_gpu + i)] = static_cast<int>(n);
    node_free_[n] = nodes_[n].gpus;
    enter_service(static_cast<int>(n));
  }
}

VertexId ClusterInventory::vertex_of(GpuIndex g) const {
  return vertex_.empty() ? static_cast<VertexId>(g) : vertex_[static_cast<std::size_t>(g)];
}

int ClusterInventory::free_gpus(int n) const {
  return schedulable(n) ? node_free_[static_cast<std::size_t>(n)] : 0;
}

void ClusterInventory::allocate(GpuIndex g, int milli, GpuHolder by) {
  auto& f = milli_free_[static_cast<std::size_t>(g)];
  const int n = node_of(g);
  if (milli <= 0 || milli > f || !schedulable(n)) throw std::logic_error("cluster inventory: allocation does not fit");
  // A part of a GPU is held by the sharing pods together, not by one job.
  const bool shared = milli < kMilliPerGpu;
  ledger_.acquire(static_cast<std::size_t>(g), shared ? GpuHolder{GpuOwner::kTraining, 0} : by, shared);
  --gpus_by_milli_free_[static_cast<std::size_t>(f)];
  if (f == kMilliPerGpu)
    node_free_changed(n, node_free_[static_cast<std::size_t>(n)], node_free_[static_cast<std::size_t>(n)] - 1);
  f -= milli;
  ++gpus_by_milli_free_[static_cast<std::size_t>(f)];
  allocated_milli_ += milli;
}

void ClusterInventory::release(GpuIndex g, int milli, GpuHolder by) {
  auto& f = milli_free_[static_cast<std::size_t>(g)];
  const int n = node_of(g);
  if (milli <= 0 || f + milli > kMilliPerGpu)
    throw std::logic_error("cluster inventory: release of more than allocated");
  ledger_.release(static_cast<std::size_t>(g), milli < kMilliPerGpu ? GpuHolder{GpuOwner::kTraining, 0} : by);
  // Given back on a node out of service: the GPU is down or spare with its node.
  if (!schedulable(n) && ledger_.holder(static_cast<std::size_t>(g)).owner == GpuOwner::kFree)
    ledger_.transfer(static_cast<std::size_t>(g), {},
                     {state(n) == NodeState::kDown ? GpuOwner::kDown : GpuOwner::kSpare, 0});
  const bool counted = schedulable(n);
  if (counted) {
    --gpus_by_milli_free_[static_cast<std::size_t>(f)];
    allocated_milli_ -= milli;
  }
  f += milli;
  if (counted) ++gpus_by_milli_free_[static_cast<std::size_t>(f)];
  if (f == kMilliPerGpu) {
    if (counted)
      node_free_changed(n, node_free_[static_cast<std::size_t>(n)], node_free_[static_cast<std::size_t>(n)] + 1);
    else
      ++node_free_[static_cast<std::size_t>(n)];
  }
}

void ClusterInventory::hand_over(GpuIndex g, GpuHolder from, GpuHolder to) {
  if (milli_free(g) != 0) throw std::logic_error("cluster inventory: handing over a GPU that is not wholly taken");
  ledger_.transfer(static_cast<std::size_t>(g), from, to);
}

void ClusterInventory::node_free_changed(int n, int before, int after) {
  const auto& node = nodes_[static_cast<std::size_t>(n)];
  node_free_[static_cast<std::size_t>(n)] = after;
  --nodes_by_free_[static_cast<std::size_t>(before)];
  ++nodes_by_free_[static_cast<std::size_t>(after)];
  free_whole_ += after - before;
  if (before == node.gpus) free_on_empty_ -= node.gpus;
  if (after == node.gpus) free_on_empty_ += node.gpus;
}

void ClusterInventory::move_node(int n, GpuOwner from, GpuOwner to) {
  const auto& node = nodes_[static_cast<std::size_t>(n)];
  for (int i = 0; i < node.gpus; ++i) {
    const auto g = static_cast<std::size_t>(node.first_gpu + i);
    if (ledger_.holder(g).owner == from) ledger_.transfer(g, {from, 0}, {to, 0});
  }
}

void ClusterInventory::enter_service(int n) {
  const auto& node = nodes_[static_cast<std::size_t>(n)];
  // From down (a repaired node, and every node as the inventory is built) or spare.
  move_node(n, state(n) == NodeState::kSpare ? GpuOwner::kSpare : GpuOwner::kDown, GpuOwner::kFree);
  state_[static_cast<std::size_t>(n)] = NodeState::kInService;
  const int free = node_free_[static_cast<std::size_t>(n)];
  ++nodes_by_free_[static_cast<std::size_t>(free)];
  free_whole_ += free;
  if (free == node.gpus) free_on_empty_ += node.gpus;
  in_service_gpus_ += node.gpus;
  for (int i = 0; i < node.gpus; ++i) {
    const int f = milli_free_[static_cast<std::size_t>(node.first_gpu + i)];
    ++gpus_by_milli_free_[static_cast<std::size_t>(f)];
    allocated_milli_ += kMilliPerGpu - f;
  }
}

void ClusterInventory::leave_service(int n) {
  const auto& node = nodes_[static_cast<std::size_t>(n)];
  const int free = node_free_[static_cast<std::size_t>(n)];
  --nodes_by_free_[static_cast<std::size_t>(free)];
  free_whole_ -= free;
  if (free == node.gpus) free_on_empty_ -= node.gpus;
  in_service_gpus_ -= node.gpus;
  for (int i = 0; i < node.gpus; ++i) {
    const int f = milli_free_[static_cast<std::size_t>(node.first_gpu + i)];
    --gpus_by_milli_free_[static_cast<std::size_t>(f)];
    allocated_milli_ -= kMilliPerGpu - f;
  }
}

void ClusterInventory::reserve_spares(int count) {
  if (count < 0 || count > node_count()) throw std::invalid_argument("cluster inventory: bad spare count");
  // The last nodes, pushed so that the lowest-numbered spare is used first.
  for (int n = node_count() - count; n < node_count(); ++n) {
    if (state(n) != NodeState::kInService) continue;
    if (allocated_milli_ > 0 && node_free_[static_cast<std::size_t>(n)] != nodes_[static_cast<std::size_t>(n)].gpus)
      throw std::logic_error("cluster inventory: spares must be reserved before allocation");
    leave_service(n);
    state_[static_cast<std::size_t>(n)] = NodeState::kSpare;
    move_node(n, GpuOwner::kFree, GpuOwner::kSpare);
    spare_gpus_ += nodes_[static_cast<std::size_t>(n)].gpus;
  }
  spares_idle_.clear();
  for (int n = node_count() - 1; n >= node_count() - count; --n)
    if (state(n) == NodeState::kSpare) spares_idle_.push_back(n);
  spare_target_ = count;
}

int ClusterInventory::set_down(int n) {
  const auto& node = nodes_[static_cast<std::size_t>(n)];
  switch (state(n)) {
    case NodeState::kDown:
      return -1;
    case NodeState::kSpare:
      spares_idle_.erase(std::find(spares_idle_.begin(), spares_idle_.end(), n));
      spare_gpus_ -= node.gpus;
      state_[static_cast<std::size_t>(n)] = NodeState::kDown;
      move_node(n, GpuOwner::kSpare, GpuOwner::kDown);
      down_gpus_ += node.gpus;
      return -1;
    case NodeState::kInService:
      break;
  }
  leave_service(n);
  state_[static_cast<std::size_t>(n)] = NodeState::kDown;
  move_node(n, GpuOwner::kFree, GpuOwner::kDown);
  down_gpus_ += node.gpus;
  if (spares_idle_.empty()) return -1;
  const int spare = spares_idle_.back();
  spares_idle_.pop_back();
  spare_gpus_ -= nodes_[static_cast<std::size_t>(spare)].gpus;
  enter_service(spare);
  return spare;
}

void ClusterInventory::set_up(int n) {
  if (state(n) != NodeState::kDown) return;
  const auto& node = nodes_[static_cast<std::size_t>(n)];
  down_gpus_ -= node.gpus;
  if (static_cast<int>(spares_idle_.size()) < spare_target_) {
    state_[static_cast<std::size_t>(n)] = NodeState::kSpare;
    move_node(n, GpuOwner::kDown, GpuOwner::kSpare);
    spares_idle_.push_back(n);
    spare_gpus_ += node.gpus;
  } else {
    enter_service(n);
  }
}

double ClusterInventory::fragmentation() const {
  if (free_whole_ == 0) return 0.0;
  return static_cast<double>(free_whole_ - free_on_empty_) / static_cast<double>(free_whole_);
}

int ClusterInventory::nodes_with_free_at_least(int k) const {
  int count = 0;
  for (int j = std::max(k, 0); j <= max_gpus_per_node_; ++j) count += nodes_by_free_[static_cast<std::size_t>(j)];
  return count;
}

bool ClusterInventory::any_gpu_with_free(int milli) const {
  if (free_whole_ > 0) return true;
  for (int m = std::max(milli, 0); m < kMilliPerGpu; ++m)
    if (gpus_by_milli_free_[static_cast<std::size_t>(m)] > 0) return true;
  return false;
}

}  // namespace cs
