#pragma once
// A GPU's link to host memory on the topology: the route from the DRAM of its NUMA-local
// socket (the socket its PCIe switch or root port hangs off, which pinned staging buffers
// are allocated on) down to the GPU, and what that route can carry. Weight streaming, host
// KV-cache tiers and swap all copy over it; GPUs behind one PCIe switch share the switch's
// uplink, so several of them copying at once each get a share of it.
#include <functional>
#include <span>
#include <vector>

#include "topology/router.hpp"
#include "topology/topology_graph.hpp"

namespace cs {

struct HostLink {
  VertexId memory = kNoVertex;  // the host memory the copies come from
  std::vector<LinkId> links;    // memory -> GPU, in order
  Time latency;
  Route route() const { return {links, latency}; }
};

// What a link can carry in bytes/s; empty: its line rate.
using LinkCapacity = std::function<double(LinkId)>;

// The host link of `gpu`: among the host memories of the GPU's node, the one with the fewest
// hops to it (lowest id on ties). Throws std::invalid_argument when `gpu` is not a GPU or its
// node has no host memory with a route to it.
HostLink host_link(Router& router, VertexId gpu);

// The slowest link of the route, by `capacity`.
double bottleneck_bytes_per_s(const Topology& topology, std::span<const LinkId> links,
                              const LinkCapacity& capacity = {});

// Each GPU's rate when all of `gpus` copy from host memory at once in lockstep (a TP group
// streaming its shards; the slowest sets the pace) on otherwise idle links: the least, over
// the links their host links cross, of the link's capacity over the copies crossing it.
double shared_host_bytes_per_s(Router& router, std::span<const VertexId> gpus, const LinkCapacity& capacity = {});

}  // namespace cs
