#pragma once
// Where a gang of GPUs goes. Two policies, for comparing fragmentation and locality:
//   topology_aware  fewest nodes, then fewest leaves, then best fit (the tightest node/leaf
//                   that holds the job, so large holes stay whole for large jobs);
//                   GPU-sharing pods go on the fullest partly used GPU that has room.
//   random          uniformly random free GPUs (or a random fitting node for single-node jobs,
//                   a random GPU with room for sharing pods), from a seeded stream.
// Both return GPUs node-major (by node index, then local index), so a training job's
// consecutive rank runs stay inside nodes.
#include <optional>
#include <string_view>
#include <vector>

#include "sim/engine/random.hpp"
#include "sim/training/cluster_inventory.hpp"

namespace cs {

enum class PlacementPolicy : std::uint8_t { kTopologyAware, kRandom };

std::string_view to_string(PlacementPolicy p);

struct PlacementRequest {
  int gpus = 1;
  int gpu_milli = ClusterInventory::kMilliPerGpu;  // < 1000 only with gpus == 1
  bool single_node = false;
  // GPUs taken on each node are a multiple of this (a training job's TP group size), so
  // that TP groups never straddle nodes. 1: any count.
  int granularity = 1;
  std::string_view gpu_type;  // empty: any
  int exclude_node = -1;      // a node not to use (EASY backfill's reservation)
};

struct Placement {
  std::vector<GpuIndex> gpus;  // node-major; one entry per GPU (a sharing pod: one)
  int nodes_used = 0;
  int leaves_used = 0;
};

// The GPUs for `request` on the in-service nodes of `inventory`, or none if it does not fit
// now. Allocates nothing. `random` is used by PlacementPolicy::kRandom only (may be null
// for topology-aware).
std::optional<Placement> place_job(const ClusterInventory& inventory, const PlacementRequest& request,
                                   PlacementPolicy policy, RandomStream* random);

// Whether the request could ever fit on this cluster with every node in service and empty.
bool can_ever_fit(const ClusterInventory& inventory, const PlacementRequest& request);

}  // namespace cs
