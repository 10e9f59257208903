#include "sim/network/ring_channels.hpp"

#include <algorithm>
#include <numeric>

namespace cs {

std::vector<std::vector<std::size_t>> ring_channels(const GroupLayout& layout, std::size_t ranks) {
  const std::size_t k = layout.per_node(), nodes = layout.by_node.size();
  if (!layout.uniform || nodes < 2 || k < 2) {
    std::vector<std::size_t> order(ranks);
    std::iota(order.begin(), order.end(), std::size_t{0});
    return {order};
  }
  std::vector<std::vector<std::size_t>> out(k);
  for (std::size_t c = 0; c < k; ++c) {
    out[c].reserve(ranks);
    for (std::size_t j = 0; j < nodes; ++j)
      for (std::size_t i = 0; i < k; ++i) {
        const std::size_t local = j % 2 == 0 ? (c + i) % k : (c + 2 * k - 1 - i) % k;
        out[c].push_back(layout.by_node[j][local]);
      }
  }
  return out;
}

RingRoutes ring_routes(Router& router, std::span<const VertexId> group, const CollectiveTuning& tuning) {
  const auto orders = ring_channels(group_layout(router.topology(), group), group.size());
  const Topology& topo = router.topology();
  RingRoutes out;
  {
    // A first look at the links (are they Ethernet?): not load for adaptive routing.
    const Router::Trial look(router);
    for (const auto& order : orders)
      for (std::size_t r = 0; r < order.size() && out.qps == 1; ++r)
        for (const LinkId l : router.path(router.route_id(group[order[r]], group[order[(r + 1) % order.size()]],
                                                            tuning.flow_label))
                                  .links)
          if (topo.link(l).kind == LinkKind::kEthernet)
            out.qps = static_cast<std::uint32_t>(std::max(1, tuning.ethernet_qps_per_connection));
  }
  out.channels.resize(orders.size());
  for (std::size_t c = 0; c < orders.size(); ++c) {
    const auto& order = orders[c];
    out.channels[c].reserve(order.size() * out.qps);
    for (std::size_t r = 0; r < order.size(); ++r)
      for (std::uint32_t q = 0; q < out.qps; ++q)
        out.channels[c].push_back(
            router.route_id(group[order[r]], group[order[(r + 1) % order.size()]], tuning.flow_label + q));
  }
  return out;
}

}  // namespace cs
