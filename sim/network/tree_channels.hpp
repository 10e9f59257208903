#pragma once
// The trees NCCL builds for an all-reduce on a group that spans nodes (NCCL 2.4, "Massively
// Scale Your Deep Learning Training with NCCL 2.4", NVIDIA blog 2019; NCCL docs, NCCL_ALGO=Tree):
// across nodes a double binary tree over the NODES (binary_tree.hpp, Sanders, Speck, Träff 2009),
// inside each node a chain through the node's GPUs hanging below the one GPU that sends and
// receives the node's network traffic (NCCL's topology pattern NCCL_TOPO_PATTERN_TREE). One tree
// pair per channel, one channel per rank of a node, as for rings (ring_channels.hpp): channel c's
// chain starts at local index c in every node, so its network edges join the GPUs c of the nodes
// and stay on one NIC and rail. Each channel moves 1/C of the data, half on each tree.
// A group inside one node, or whose nodes hold unequal numbers of ranks, gets one channel: the
// double binary tree over its ranks in group order.
#include <array>
#include <vector>

#include "sim/network/binary_tree.hpp"
#include "sim/network/group_layout.hpp"

namespace cs {

struct TreeChannels {
  // Per channel, the rank (index into the group) at each tree position.
  std::vector<std::vector<std::size_t>> orders;
  std::array<TreeShape, 2> trees;  // over positions, the same for every channel
  // Positions per node: position p's edge to its parent is a chain edge inside a node when
  // per_node > 1 and p is not a multiple of it (1: every edge is a tree edge).
  std::size_t per_node = 1;
  int tree_depth = 0;   // tree (between nodes) edges on the longest root-to-leaf path
  int chain_depth = 0;  // chain edges below a node's head: per_node - 1

  bool chain_edge(std::size_t position) const { return per_node > 1 && position % per_node != 0; }
};

TreeChannels tree_channels(const GroupLayout& layout, std::size_t ranks);

}  // namespace cs
