#include "sim/training/dp_traffic.hpp"

#include <optional>

#include "sim/network/group_layout.hpp"
#include "sim/network/ring_channels.hpp"
#include "sim/network/sharp_tree.hpp"

namespace cs {

namespace {

double wire(const CollectiveTuning& tuning, CollectiveProtocol protocol, double payload) {
  return payload / tuning.cost(protocol).rate_fraction();
}

void add_ring(Router& router, const CollectiveTuning& tuning, const DpCollective& c, std::map<LinkId, double>& bytes) {
  const CollectiveRequest& r = c.request;
  const std::size_t n = r.group.size();
  const double steps = static_cast<double>(r.op == CollectiveOp::kAllReduce ? 2 * (n - 1) : n - 1);
  const RingRoutes rings = ring_routes(router, r.group, tuning);
  const double channels = static_cast<double>(rings.channels.size());
  const double per_route = wire(tuning, c.protocol, r.bytes / channels / static_cast<double>(n)) / rings.qps * steps;
  for (const auto& channel : rings.channels)
    for (const RouteId id : channel)
      for (const LinkId l : router.path(id).links) bytes[l] += per_route;
}

// Collnet's in-network phase: false where the group has no tree for every local index.
bool add_collnet(Router& router, const CollectiveTuning& tuning, const DpCollective& c,
                 std::map<LinkId, double>& bytes) {
  const CollectiveRequest& r = c.request;
  const GroupLayout layout = group_layout(router.topology(), r.group);
  if (!layout.uniform) return false;
  const std::vector<std::vector<VertexId>> inter = layout.per_node() == 1
                                                       ? std::vector<std::vector<VertexId>>{r.group}
                                                       : inter_node_groups(layout, r.group);
  std::vector<SharpTree> trees;
  for (const std::vector<VertexId>& g : inter) {
    std::optional<SharpTree> t = sharp_tree(router, g, tuning.flow_label);
    if (!t) return false;
    trees.push_back(std::move(*t));
  }
  const double per_link = wire(tuning, c.protocol, r.bytes / static_cast<double>(layout.per_node()));
  for (const SharpTree& t : trees)
    for (const auto* links : {&t.up_links, &t.down_links})
      for (const LinkId l : *links) bytes[l] += per_link;
  return true;
}

}  // namespace

void add_dp_traffic(Router& router, const CollectiveTuning& tuning, const DpCollective& collective,
                    std::map<LinkId, double>& bytes) {
  if (collective.request.group.size() < 2) return;
  if (collective.request.algorithm == CollectiveAlgorithm::kCollnet && add_collnet(router, tuning, collective, bytes))
    return;
  add_ring(router, tuning, collective, bytes);
}

}  // namespace cs
