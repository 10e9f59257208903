#pragma once
// Where a model replica of tp x pp GPUs can sit on a topology: its slots. Each pipeline stage is
// a tensor-parallel group of `tp` consecutive GPUs within one node (NVLink-domain TP), or, where
// a node is smaller than `tp`, of consecutive GPUs across nodes; a slot is `per_slot` consecutive
// such groups (a replica's pp stages × its ep expert-parallel groups). The slots do not overlap and are listed in topology order, so placing replicas
// first-fit takes the lowest free slot. Serving's placement (sim/simulation/replica_placement)
// and the scenario loader's check of initial replicas both cut the GPUs this way.
#include <vector>

#include "topology/topology_graph.hpp"

namespace cs {

std::vector<std::vector<VertexId>> replica_slots(const Topology& topology, int tp, int per_slot);

}  // namespace cs
