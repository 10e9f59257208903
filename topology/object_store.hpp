#pragma once
// A shared storage cluster on the fabric (an object store or a parallel file system appliance,
// e.g. DDN AI400X2: eight 200 Gb/s front-end ports, ~90 GB/s of reads): one storage vertex
// outside any node whose front-end ports are one aggregated link into a storage switch, and
// that switch wired to every switch of the fabric's top tier (spines, cores, or the leaves
// and the single switch of a flat fabric) at the store's whole rate, so the store's own ports
// and the fabric's links below the top tier are what limit a read, not the attachment.
//
// The ports are one link, not N: flows share their sum max-min, as reads striped over every
// port do (a client reading 1 MiB objects spreads them over the store's servers); a hashed
// imbalance between ports is not modelled. The store is an endpoint (it never forwards) and
// its switch sits above the top tier, so no route between GPUs becomes shorter through it.
#include <optional>

#include "sim/engine/time.hpp"
#include "topology/topology_graph.hpp"

namespace cs {

struct ObjectStoreSpec {
  int ports = 8;                      // front-end ports of the storage cluster
  double port_bytes_per_s = 25e9;     // per port, per direction (200 Gb/s)
  double read_bytes_per_s = 0;        // the cluster's own read throughput; 0: ports x port rate
  Time latency = Time::ns(500);       // per hop of the attachment, like a fabric switch hop
  // What a read can move: the ports' sum, or the cluster's read throughput when that is less.
  double bytes_per_s() const;
};

// Throws std::invalid_argument naming the first inconsistent field.
void validate(const ObjectStoreSpec& spec);

// Adds the store ("storage") and its switch ("storage.switch") above the top tier of the
// fabric's switches, with links of `kind` (the fabric's technology). Throws
// std::invalid_argument when the topology has no fabric switch to attach to.
VertexId add_object_store(Topology& topo, const ObjectStoreSpec& spec, LinkKind kind);

// The shared store of a topology: its first storage vertex outside any node (a node's own
// storage vertex is its NVMe); none when it has no such vertex.
std::optional<VertexId> find_object_store(const Topology& topo);

}  // namespace cs
