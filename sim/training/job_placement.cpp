#include "sim/training/job_placement.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace cs {

std::string_view to_string(PlacementPolicy p) {
  switch (p) {
    case PlacementPolicy::kTopologyAware:
      return "topology_aware";
    case PlacementPolicy::kRandom:
      return "random";
  }
  return "?";
}

namespace {

bool eligible(const ClusterInventory& inv, int n, const PlacementRequest& r) {
  return inv.schedulable(n) && n != r.exclude_node && (r.gpu_type.empty() || inv.node(n).gpu_type == r.gpu_type);
}

// Whole free GPUs of node n that the job may take: a multiple of the granularity.
int usable(const ClusterInventory& inv, int n, int granularity) {
  const int free = inv.free_gpus(n);
  return free - free % granularity;
}

// The first `count` whole free GPUs of node n, lowest local index first.
void take_lowest(const ClusterInventory& inv, int n, int count, std::vector<GpuIndex>& out) {
  const auto& node = inv.node(n);
  for (int i = 0; i < node.gpus && count > 0; ++i) {
    const GpuIndex g = node.first_gpu + i;
    if (inv.milli_free(g) == ClusterInventory::kMilliPerGpu) {
      out.push_back(g);
      --count;
    }
  }
}

Placement finish(const ClusterInventory& inv, std::vector<GpuIndex> gpus) {
  std::sort(gpus.begin(), gpus.end());
  Placement p;
  int last_node = -1;
  std::vector<int> leaves;
  for (GpuIndex g : gpus) {
    const int n = inv.node_of(g);
    if (n != last_node) {
      ++p.nodes_used;
      leaves.push_back(inv.node(n).leaf);
      last_node = n;
    }
  }
  std::sort(leaves.begin(), leaves.end());
  p.leaves_used = static_cast<int>(std::unique(leaves.begin(), leaves.end()) - leaves.begin());
  p.gpus = std::move(gpus);
  return p;
}

std::optional<Placement> place_shared(const ClusterInventory& inv, const PlacementRequest& r, PlacementPolicy policy,
                                      RandomStream* random) {
  // Topology-aware: the GPU with the least room that still fits (bin packing keeps whole GPUs
  // whole); among whole GPUs, the one on the node with the fewest free GPUs (keeps empty nodes
  // empty). Random: uniform over the GPUs with room (reservoir sampling, one pass).
  GpuIndex best = -1;
  long best_score = 0;
  std::uint64_t seen = 0;
  for (int n = 0; n < inv.node_count(); ++n) {
    if (!eligible(inv, n, r)) continue;
    const auto& node = inv.node(n);
    for (int i = 0; i < node.gpus; ++i) {
      const GpuIndex g = node.first_gpu + i;
      const int free = inv.milli_free(g);
      if (free < r.gpu_milli) continue;
      if (policy == PlacementPolicy::kRandom) {
        if (random->below(++seen) == 0) best = g;
        continue;
      }
      const long score = static_cast<long>(free) * 1024 + inv.free_gpus(n);
      if (best < 0 || score < best_score) {
        best = g;
        best_score = score;
      }
    }
  }
  if (best < 0) return std::nullopt;
  return finish(inv, {best});
}

// Fewest nodes among `nodes` (candidates with usable GPUs): the biggest first, except that
// the last one is the smallest that holds what remains (best fit).
std::vector<GpuIndex> fewest_nodes(const ClusterInventory& inv, std::vector<int> nodes, int gpus, int granularity) {
  std::stable_sort(nodes.begin(), nodes.end(),
                   [&](int a, int b) { return usable(inv, a, granularity) > usable(inv, b, granularity); });
  std::vector<GpuIndex> out;
  int remaining = gpus;
  std::size_t next = 0;
  while (remaining > 0 && next < nodes.size()) {
    // The smallest remaining node that holds the rest, if any (nodes are sorted descending).
    std::size_t fit = nodes.size();
    for (std::size_t i = next; i < nodes.size() && usable(inv, nodes[i], granularity) >= remaining; ++i) fit = i;
    if (fit != nodes.size()) {
      take_lowest(inv, nodes[fit], remaining, out);
      remaining = 0;
      break;
    }
    const int take = usable(inv, nodes[next], granularity);
    take_lowest(inv, nodes[next], take, out);
    remaining -= take;
    ++next;
  }
  if (remaining > 0) out.clear();
  return out;
}

std::optional<Placement> place_topology_aware(const ClusterInventory& inv, const PlacementRequest& r) {
  const int k = std::max(r.granularity, 1);
  // One node: the tightest that holds the whole job.
  int best = -1;
  int best_usable = 0;
  for (int n = 0; n < inv.node_count(); ++n) {
    if (!eligible(inv, n, r)) continue;
    const int u = usable(inv, n, k);
    if (u >= r.gpus && (best < 0 || u < best_usable)) {
      best = n;
      best_usable = u;
    }
  }
  if (best >= 0) {
    std::vector<GpuIndex> out;
    take_lowest(inv, best, r.gpus, out);
    return finish(inv, std::move(out));
  }
  if (r.single_node) return std::nullopt;
  // Several nodes: one leaf if any can hold the job (the one needing the fewest nodes, then
  // the tightest), else the fewest leaves (the fullest-free first).
  std::vector<std::vector<int>> by_leaf(static_cast<std::size_t>(inv.leaf_count()));
  std::vector<long> leaf_free(static_cast<std::size_t>(inv.leaf_count()), 0);
  for (int n = 0; n < inv.node_count(); ++n) {
    if (!eligible(inv, n, r) || usable(inv, n, k) == 0) continue;
    const auto leaf = static_cast<std::size_t>(inv.node(n).leaf);
    by_leaf[leaf].push_back(n);
    leaf_free[leaf] += usable(inv, n, k);
  }
  std::vector<GpuIndex> best_leaf_gpus;
  long best_leaf_free = 0;
  int best_leaf_nodes = 0;
  for (std::size_t leaf = 0; leaf < by_leaf.size(); ++leaf) {
    if (leaf_free[leaf] < r.gpus) continue;
    auto gpus = fewest_nodes(inv, by_leaf[leaf], r.gpus, k);
    if (gpus.empty()) continue;
    const int nodes_needed = finish(inv, gpus).nodes_used;
    if (best_leaf_gpus.empty() || nodes_needed < best_leaf_nodes ||
        (nodes_needed == best_leaf_nodes && leaf_free[leaf] < best_leaf_free)) {
      best_leaf_gpus = std::move(gpus);
      best_leaf_nodes = nodes_needed;
      best_leaf_free = leaf_free[leaf];
    }
  }
  if (!best_leaf_gpus.empty()) return finish(inv, std::move(best_leaf_gpus));
  std::vector<std::size_t> leaves(by_leaf.size());
  std::iota(leaves.begin(), leaves.end(), std::size_t{0});
  std::stable_sort(leaves.begin(), leaves.end(),
                   [&](std::size_t a, std::size_t b) { return leaf_free[a] > leaf_free[b]; });
  std::vector<int> nodes;
  long total = 0;
  for (std::size_t leaf : leaves) {
    if (total >= r.gpus || leaf_free[leaf] == 0) break;
    nodes.insert(nodes.end(), by_leaf[leaf].begin(), by_leaf[leaf].end());
    total += leaf_free[leaf];
  }
  if (total < r.gpus) return std::nullopt;
  auto gpus = fewest_nodes(inv, std::move(nodes), r.gpus, k);
  if (gpus.empty()) return std::nullopt;
  return finish(inv, std::move(gpus));
}

std::optional<Placement> place_random(const ClusterInventory& inv, const PlacementRequest& r, RandomStream& random) {
  const int k = std::max(r.granularity, 1);
  if (r.single_node) {
    int chosen = -1;
    std::uint64_t seen = 0;
    for (int n = 0; n < inv.node_count(); ++n)
      if (eligible(inv, n, r) && usable(inv, n, k) >= r.gpus && random.below(++seen) == 0) chosen = n;
    if (chosen < 0) return std::nullopt;
    std::vector<GpuIndex> free;
    take_lowest(inv, chosen, inv.free_gpus(chosen), free);
    for (int i = 0; i < r.gpus; ++i)
      std::swap(free[static_cast<std::size_t>(i)],
                free[static_cast<std::size_t>(i) + random.below(free.size() - static_cast<std::size_t>(i))]);
    free.resize(static_cast<std::size_t>(r.gpus));
    return finish(inv, std::move(free));
  }
  // Slots of `k` free GPUs on one node, chosen uniformly (partial Fisher–Yates).
  std::vector<int> slot_node;  // one entry per slot: its node
  for (int n = 0; n < inv.node_count(); ++n) {
    if (!eligible(inv, n, r)) continue;
    for (int s = 0; s < usable(inv, n, k) / k; ++s) slot_node.push_back(n);
  }
  const int wanted = (r.gpus + k - 1) / k;
  if (static_cast<int>(slot_node.size()) < wanted) return std::nullopt;
  std::vector<std::size_t> order(slot_node.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (int i = 0; i < wanted; ++i) {
    const auto j = static_cast<std::size_t>(i) + random.below(order.size() - static_cast<std::size_t>(i));
    std::swap(order[static_cast<std::size_t>(i)], order[j]);
  }
  // Slots per node, then each node's lowest free GPUs (which GPUs inside a node does not
  // change locality).
  std::vector<int> per_node(static_cast<std::size_t>(inv.node_count()), 0);
  for (int i = 0; i < wanted; ++i)
    per_node[static_cast<std::size_t>(slot_node[order[static_cast<std::size_t>(i)]])] += k;
  std::vector<GpuIndex> out;
  int remaining = r.gpus;
  for (int n = 0; n < inv.node_count() && remaining > 0; ++n) {
    const int take = std::min(per_node[static_cast<std::size_t>(n)], remaining);
    if (take == 0) continue;
    take_lowest(inv, n, take, out);
    remaining -= take;
  }
  return finish(inv, std::move(out));
}

}  // namespace

std::optional<Placement> place_job(const ClusterInventory& inventory, const PlacementRequest& request,
                                   PlacementPolicy policy, RandomStream* random) {
  if (policy == PlacementPolicy::kRandom && random == nullptr)
    throw std::invalid_argument("random placement needs a random stream");
  if (request.gpus <= 0) return Placement{};
  if (request.gpu_milli < ClusterInventory::kMilliPerGpu) {
    if (request.gpus != 1) throw std::invalid_argument("a GPU-sharing job asks for exactly one GPU");
    return place_shared(inventory, request, policy, random);
  }
  if (policy == PlacementPolicy::kRandom) return place_random(inventory, request, *random);
  return place_topology_aware(inventory, request);
}

bool can_ever_fit(const ClusterInventory& inventory, const PlacementRequest& request) {
  if (request.gpus <= 0) return true;
  if (request.gpu_milli <= 0 || request.gpu_milli > ClusterInventory::kMilliPerGpu) return false;
  const int k = std::max(request.granularity, 1);
  long total = 0;
  int largest = 0;
  for (int n = 0; n < inventory.node_count(); ++n) {
    const auto& node = inventory.node(n);
    if (!request.gpu_type.empty() && node.gpu_type != request.gpu_type) continue;
    const int u = node.gpus - node.gpus % k;
    total += u;
    largest = std::max(largest, u);
  }
  return request.single_node ? largest >= request.gpus : total >= request.gpus;
}

}  // namespace cs
