#pragma once
// The per-pass weight copies of a streaming serving replica (replica.weight_streaming) on the
// run's one flow network: each of its GPUs copies its streamed layers from its host memory
// over its host link (topology/host_link.hpp), all in lockstep (a pass waits for the slowest
// shard), as one standing flow class while the replica iterates. The class shares links
// max-min with everything else, so GPUs under one PCIe switch split its uplink, and a weight
// load or another replica's stream through the same switch slows this one's copies.
//
// The copy engine prefetches the next streamed layer as soon as a buffer frees, so while the
// replica iterates its copies run flat out (uncapped): exact when copies are the bound (a
// streamed layer's copy is ~100x its decode compute), an overstatement of its share of the
// links when a large prefill's compute hides the copies. An idle replica copies nothing.
#include <cstdint>
#include <span>
#include <vector>

#include "sim/network/flow_network.hpp"
#include "topology/topology_graph.hpp"

namespace cs {

class HostStream {
 public:
  // Throws std::invalid_argument when a GPU has no host memory in its node.
  HostStream(FlowNetwork& network, std::span<const VertexId> gpus);
  HostStream(const HostStream&) = delete;
  HostStream& operator=(const HostStream&) = delete;

  // Seconds to copy `bytes` onto each GPU at the rate its host links give it now; the copies
  // are carried from this call until idle(). Before the instant's rates settle, a new class
  // is priced at an equal share of each link with the flows already on it.
  double copy_s(double bytes);
  // The replica has nothing in flight: its copies stop.
  void idle();
  // Each GPU's copy rate on otherwise idle links, bytes/s.
  double alone_bytes_per_s() const { return alone_; }
  // The rate of the last copy priced, bytes/s per GPU.
  double last_bytes_per_s() const { return last_; }

 private:
  double rate_now() const;

  FlowNetwork& network_;
  std::vector<FlowNetwork::ClassLink> links_;
  double alone_ = 0;
  double last_ = 0;
  FlowHandle flow_;
};

}  // namespace cs
