#pragma once
// The links one DP group's gradient reduction loads and the wire bytes it puts on each, per
// iteration, worked out from its routes without running it: the traffic the flow-level
// collectives (sim/network/collectives.cpp) give the same requests, so that the reduction can
// stand on the run's one flow network as a flow class (network_speed_model.hpp).
//   ring      every channel's edge routes (ring_channels.hpp), each carrying
//             steps x wire(S / channels / n) / qps (all-reduce 2(n-1) steps, reduce-scatter
//             and all-gather n-1), as RingTask moves them;
//   collnet   each local index's SHARP tree (sharp_tree.hpp): wire(S / k) once up every link
//             of the tree and once down (k ranks per node; the reduce-scatter and all-gather
//             inside the node stay on its NVLink and are not counted);
//   others    (tree, NVLS, hierarchical; where the job's algorithm cannot run a collective and
//             the cost model picked one of these) carried on the ring's routes with the ring's
//             bytes: the same ranks' links between the same nodes. Only what the reduction
//             contends for is taken from this shape; its price alone is the cost model's.
// wire(x) = x / the protocol's rate fraction (collective_types.hpp ProtocolCost).
#include <map>
#include <span>

#include "sim/network/collective_types.hpp"
#include "sim/training/training_iteration.hpp"
#include "topology/router.hpp"

namespace cs {

// Adds the collective's bytes on each link it crosses to `bytes`.
void add_dp_traffic(Router& router, const CollectiveTuning& tuning, const DpCollective& collective,
                    std::map<LinkId, double>& bytes);

}  // namespace cs
