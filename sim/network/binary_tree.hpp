#pragma once
// The two trees of a double binary tree (Sanders, Speck, Träff 2009; NCCL 2.4): ranks are laid
// out in order on positions 1..n; each range's root is the position with the most trailing zero
// bits, so odd positions are always leaves. The second tree shifts every rank one position, so
// (for even n) each rank is interior in at most one tree and the two trees together use every
// rank's links evenly.
#include <array>
#include <cstdint>
#include <vector>

namespace cs {

struct TreeShape {
  std::vector<std::int32_t> parent;                 // -1 at the root
  // -1 where absent. A binary tree fills the first two; NCCL's tree across nodes (tree_channels)
  // hangs the node's chain from the third.
  std::vector<std::array<std::int32_t, 3>> children;
  std::int32_t root = -1;
  int height = 0;  // edges on the longest root-to-leaf path
};

// which = 0 or 1: the first or the shifted tree over ranks 0..n-1.
TreeShape double_binary_tree(std::size_t n, int which);

}  // namespace cs
