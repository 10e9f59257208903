#pragma once
// The rings NCCL builds for a group that spans nodes: one channel per rank of a node, so every
// NIC (rail) of the node carries one channel's traffic and the node's busbw is bounded by the
// sum of its NICs, not by one (NCCL builds one or more channels per NIC; NCCL docs, "NCCL_
// MIN_NCHANNELS", and its topology search in src/graph/). Each channel moves 1/C of the data.
// Rail-aligned: every hop between nodes joins the same local index (the same rail), so on a
// rail-optimized fabric it stays on one rail switch. Channel c runs through node j as
//   c, c+1, ..., c-1 (mod k)   for even j, leaving on rail c-1,
//   c-1, c-2, ..., c  (mod k)  for odd j, entering on rail c-1 and leaving on rail c,
// so consecutive nodes meet on one rail (with an odd number of nodes the closing hop changes
// rail). A group inside one node, or whose nodes hold unequal numbers of ranks, gets one
// channel in the group's own order.
#include <span>
#include <vector>

#include "sim/network/collective_types.hpp"
#include "sim/network/group_layout.hpp"
#include "topology/router.hpp"

namespace cs {

// Rank indices (into the group) of each channel's ring, in ring order.
std::vector<std::vector<std::size_t>> ring_channels(const GroupLayout& layout, std::size_t ranks);

// The routes of every channel's edges (rank -> next). Where an edge crosses Ethernet, each
// connection is spread over `qps` queue pairs, each hashed by ECMP on its own label, and every
// edge is listed `qps` times so that each listed route carries 1/qps of an edge's bytes.
struct RingRoutes {
  std::vector<std::vector<RouteId>> channels;
  std::uint32_t qps = 1;
};
RingRoutes ring_routes(Router& router, std::span<const VertexId> group, const CollectiveTuning& tuning);

}  // namespace cs
