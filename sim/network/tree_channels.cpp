#include "sim/network/tree_channels.hpp"

#include <algorithm>
#include <numeric>

namespace cs {

namespace {

// The tree over positions node * k + i: each node's head (i = 0) takes the node's place in the
// double binary tree over nodes, and the node's chain hangs from it in the third child slot.
TreeShape node_chain_tree(std::size_t nodes, std::size_t k, int which) {
  const TreeShape over_nodes = double_binary_tree(nodes, which);
  TreeShape tree;
  tree.parent.assign(nodes * k, -1);
  tree.children.assign(nodes * k, {-1, -1, -1});
  auto head = [k](std::int32_t node) { return node < 0 ? -1 : static_cast<std::int32_t>(static_cast<std::size_t>(node) * k); };
  for (std::size_t j = 0; j < nodes; ++j)
    for (std::size_t i = 0; i < k; ++i) {
      const std::size_t p = j * k + i;
      tree.parent[p] = i == 0 ? head(over_nodes.parent[j]) : static_cast<std::int32_t>(p - 1);
      if (i == 0) tree.children[p] = {head(over_nodes.children[j][0]), head(over_nodes.children[j][1]), -1};
      if (i + 1 < k) tree.children[p][2] = static_cast<std::int32_t>(p + 1);
    }
  tree.root = head(over_nodes.root);
  tree.height = over_nodes.height + static_cast<int>(k) - 1;
  return tree;
}

}  // namespace

TreeChannels tree_channels(const GroupLayout& layout, std::size_t ranks) {
  TreeChannels out;
  const std::size_t k = layout.per_node(), nodes = layout.by_node.size();
  if (!layout.uniform || nodes < 2) {
    out.orders.emplace_back(ranks);
    std::iota(out.orders[0].begin(), out.orders[0].end(), std::size_t{0});
    for (int t = 0; t < 2; ++t) out.trees[t] = double_binary_tree(ranks, t);
    out.tree_depth = std::max(out.trees[0].height, out.trees[1].height);
    return out;
  }
  out.per_node = k;
  out.orders.assign(k, {});
  for (std::size_t c = 0; c < k; ++c)
    for (std::size_t j = 0; j < nodes; ++j)
      for (std::size_t i = 0; i < k; ++i) out.orders[c].push_back(layout.by_node[j][(c + i) % k]);
  for (int t = 0; t < 2; ++t) out.trees[t] = node_chain_tree(nodes, k, t);
  out.chain_depth = static_cast<int>(k) - 1;
  out.tree_depth = std::max(out.trees[0].height, out.trees[1].height) - out.chain_depth;
  return out;
}

}  // namespace cs
