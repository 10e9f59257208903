#include "topology/replica_slots.hpp"

#include <algorithm>
#include <cstdint>
#include <map>

namespace cs {

std::vector<std::vector<VertexId>> replica_slots(const Topology& topology, int tp, int per_slot) {
  const auto size = [](int n) { return static_cast<std::size_t>(n); };
  // GPUs by node, in topology order.
  std::map<std::int32_t, std::vector<VertexId>> by_node;
  for (const VertexId g : topology.gpus()) by_node[topology.vertex(g).node].push_back(g);
  std::size_t smallest_node = SIZE_MAX;
  for (const auto& [node, gpus] : by_node) smallest_node = std::min(smallest_node, gpus.size());

  std::vector<std::vector<VertexId>> groups;
  const auto cut = [&](const std::vector<VertexId>& gpus) {
    for (std::size_t k = 0; k + size(tp) <= gpus.size(); k += size(tp))
      groups.emplace_back(gpus.begin() + static_cast<std::ptrdiff_t>(k),
                          gpus.begin() + static_cast<std::ptrdiff_t>(k + size(tp)));
  };
  if (!by_node.empty() && size(tp) <= smallest_node) {
    for (const auto& [node, gpus] : by_node) cut(gpus);
  } else {
    cut(std::vector<VertexId>(topology.gpus().begin(), topology.gpus().end()));
  }
  std::vector<std::vector<VertexId>> slots;
  for (std::size_t g = 0; g + size(per_slot) <= groups.size(); g += size(per_slot)) {
    std::vector<VertexId>& slot = slots.emplace_back();
    for (std::size_t s = 0; s < size(per_slot); ++s) slot.insert(slot.end(), groups[g + s].begin(), groups[g + s].end());
  }
  return slots;
}

}  // namespace cs
