#pragma once
// Replicas' weights loaded as flows on the run's one network: a booting replica's GPUs each
// receive their shard (the memory model's weight bytes per GPU) from a source, and the replica
// is ready when the last byte of the last shard lands. The flows share links max-min with
// each other and with everything else on the fabric, so thirty replicas pulling from one
// object store take thirty times as long as one does, while a replica whose node's NVMe
// already holds the model reads at local speed.
//
// Sources:
//   object_store  the topology's storage cluster (topology/object_store.hpp), over the fabric
//                 and each GPU's NIC (GPUDirect Storage: no bounce through host memory);
//   nvme_cache    each GPU's node's NVMe array, through the host's PCIe, where that node holds
//                 the model (a replica of it loaded there before, or it was pre-staged); a GPU
//                 whose node does not hold it reads from the object store, and its node holds
//                 the model from then on (the cache is filled as it is read). NVMe capacity is
//                 not bounded: a node's drives (tens of TB) hold many 100 GB models;
//   peer          a ready replica of the same model: GPU i of it sends shard i to GPU i of the
//                 new one (NVLink within a node, the fabric across nodes); without one, the
//                 object store. When the peer stops during the load (scaled down, its GPUs
//                 reclaimed), its GPUs send nothing more: each shard still moving continues
//                 from another peer, or the object store, for the bytes it has left.
// Host DRAM as a cache (a page cache of recently loaded files) is not modelled.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/engine/signal.hpp"
#include "sim/network/flow_network.hpp"
#include "topology/topology_graph.hpp"

namespace cs {

enum class WeightSource : std::uint8_t { kObjectStore, kNvmeCache, kPeer };
std::string_view weight_source_name(WeightSource source);

// One load as it ended (completed, not cancelled).
struct WeightLoadRecord {
  std::uint32_t replica = 0;
  WeightSource asked = WeightSource::kObjectStore;
  // Where the bytes came from: the asked source, or the object store for GPUs it missed
  // (kNvmeCache only when every GPU read its node's cache; kPeer only when peers sent every
  // byte, the last one or the ones that took over from it).
  WeightSource used = WeightSource::kObjectStore;
  Time start;
  Time end;
  double bytes = 0;  // all GPUs together
  Time duration() const { return end - start; }
};

class WeightLoader {
 public:
  using LoadId = std::uint32_t;

  // Finds the object store and each node's NVMe on the network's topology. Throws
  // std::invalid_argument when the topology has no object store: every source falls back on it.
  explicit WeightLoader(FlowNetwork& network);
  WeightLoader(const WeightLoader&) = delete;
  WeightLoader& operator=(const WeightLoader&) = delete;

  // Starts loading `bytes_per_gpu` onto each of `gpus` (topology vertices) now; `loaded` runs
  // once the last shard has landed. `peer_gpus`: with kPeer, the GPUs of a ready replica of
  // the same model and shape (same order: the same shards), empty when there is none.
  LoadId begin(std::uint32_t replica, std::string_view model, std::span<const VertexId> gpus, double bytes_per_gpu,
               WeightSource source, std::span<const VertexId> peer_gpus, std::function<void()> loaded);
  // Gives up a load in flight (its replica was stopped while loading): its flows end now.
  void cancel(LoadId load);
  // The peer a load in flight reads from has stopped: its flows end now, and each shard not
  // yet sent continues with the bytes it has left from GPU i of `peer_gpus` (another ready
  // replica of the same shape), or from the object store when that is empty.
  void switch_source(LoadId load, std::span<const VertexId> peer_gpus);

  // The nodes of these GPUs hold `model` in their NVMe from now on (a replica of it runs there,
  // or the model was pre-staged).
  void hold(std::string_view model, std::span<const VertexId> gpus);
  void hold_everywhere(std::string_view model);
  bool holds(std::string_view model, int node) const;

  // Gauges: weight bytes still to land, loads in flight.
  double bytes_in_flight() const;
  int loads_in_flight() const { return in_flight_; }

  Signal<const WeightLoadRecord&> on_load_done;

 private:
  struct Load {
    WeightLoadRecord record;
    std::string model;
    std::vector<VertexId> gpus;            // shard i lands on gpus[i]
    std::vector<FlowHandle> flows;         // null once delivered; stale once its last byte is sent
    std::vector<VertexId> nodes_to_fill;   // nodes that read the store for an nvme_cache load
    std::function<void()> loaded;
    int pending = 0;
    bool active = false;
  };
  void delivered(LoadId load, std::uint32_t shard);
  // Sends shard `shard` of `load`: `bytes` from `from` now.
  FlowHandle send(LoadId load, std::uint32_t shard, VertexId from, double bytes);

  FlowNetwork& network_;
  VertexId store_ = kNoVertex;
  std::vector<VertexId> nvme_of_node_;  // kNoVertex: the node has no NVMe
  std::unordered_map<std::string, std::unordered_set<int>> held_;  // model -> nodes holding it
  std::vector<Load> loads_;
  int in_flight_ = 0;
};

}  // namespace cs
