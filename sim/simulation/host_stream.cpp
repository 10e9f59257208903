#include "sim/simulation/host_stream.hpp"

#include <algorithm>

#include "sim/network/flow_class.hpp"
#include "topology/host_link.hpp"

namespace cs {

HostStream::HostStream(FlowNetwork& network, std::span<const VertexId> gpus) : network_(network) {
  FlowClassLinks links(network.topology().link_count());
  for (const VertexId g : gpus) links.add(host_link(network.router(), g).route());
  links_.assign(links.links().begin(), links.links().end());
  alone_ = FlowNetwork::kUnlimited;
  for (const auto& [l, count] : links_) alone_ = std::min(alone_, network.capacity(l) / count);
}

double HostStream::rate_now() const {
  const bool carried = network_.active(flow_);
  if (carried && network_.rate(flow_) > 0) return network_.rate(flow_);
  double share = FlowNetwork::kUnlimited;
  for (const auto& [l, count] : links_) {
    const double others = static_cast<double>(network_.link_flow_count(l)) - (carried ? count : 0);
    share = std::min(share, network_.capacity(l) / (others + count));
  }
  return share;
}

double HostStream::copy_s(double bytes) {
  if (!network_.active(flow_))
    flow_ = network_.handle(network_.start_standing_class(links_, alone_));  // all the links allow: flat out
  last_ = rate_now();
  return bytes / last_;
}

void HostStream::idle() {
  network_.stop(flow_);
  flow_ = FlowHandle{};
}

}  // namespace cs
