#pragma once
// The links of a flow class (FlowNetwork::start_class): routes added with their multiplicity,
// members summed per link, each link listed once. Builds in time linear in the hops added
// (a dense counter by link id, reset through the list of links touched), so a class spanning
// a 100k-GPU ring costs what its routes cost.
#include <span>
#include <vector>

#include "sim/network/flow_network.hpp"

namespace cs {

class FlowClassLinks {
 public:
  explicit FlowClassLinks(std::size_t link_count) : count_(link_count, 0) {}

  // `members` transfers along `route`.
  void add(const Route& route, std::uint32_t members = 1);
  std::span<const FlowNetwork::ClassLink> links() const { return links_; }
  bool empty() const { return links_.empty(); }
  void clear();

 private:
  std::vector<std::uint32_t> count_;  // by link id: index into links_ + 1, 0 when absent
  std::vector<FlowNetwork::ClassLink> links_;
};

}  // namespace cs
