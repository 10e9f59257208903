#include "sim/network/binary_tree.hpp"

#include <algorithm>

namespace cs {

namespace {

// The position in [a, b] with the most trailing zeros (unique: two multiples of 2^k in a range
// would have a multiple of 2^(k+1) between them).
std::size_t range_root(std::size_t a, std::size_t b) {
  for (int k = 62; k >= 0; --k) {
    const std::size_t step = std::size_t{1} << k;
    const std::size_t m = (a + step - 1) / step * step;
    if (m <= b) return m;
  }
  return a;
}

struct Builder {
  const std::vector<std::int32_t>& rank_at;
  TreeShape& tree;
  // Returns the subtree root's rank, or -1 for an empty range.
  std::int32_t build(std::size_t a, std::size_t b, std::int32_t parent, int depth) {
    if (a > b) return -1;
    const std::size_t p = range_root(a, b);
    const std::int32_t r = rank_at[p];
    tree.parent[static_cast<std::size_t>(r)] = parent;
    tree.height = std::max(tree.height, depth);
    const std::int32_t left = p > a ? build(a, p - 1, r, depth + 1) : -1;
    const std::int32_t right = p < b ? build(p + 1, b, r, depth + 1) : -1;
    tree.children[static_cast<std::size_t>(r)] = {left, right, -1};
    return r;
  }
};

}  // namespace

TreeShape double_binary_tree(std::size_t n, int which) {
  TreeShape tree;
  tree.parent.assign(n, -1);
  tree.children.assign(n, {-1, -1, -1});
  if (n == 0) return tree;
  std::vector<std::int32_t> rank_at(n + 1, -1);
  for (std::size_t r = 0; r < n; ++r) {
    const std::size_t pos = which == 0 ? r + 1 : (r + 1) % n + 1;
    rank_at[pos] = static_cast<std::int32_t>(r);
  }
  Builder b{rank_at, tree};
  tree.root = b.build(1, n, -1, 0);
  return tree;
}

}  // namespace cs
