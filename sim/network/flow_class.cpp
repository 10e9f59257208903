#include "sim/network/flow_class.hpp"

namespace cs {

void FlowClassLinks::add(const Route& route, std::uint32_t members) {
  for (const LinkId l : route.links) {
    if (count_[l] == 0) {
      links_.push_back({l, 0});
      count_[l] = static_cast<std::uint32_t>(links_.size());
    }
    links_[count_[l] - 1].count += members;
  }
}

void FlowClassLinks::clear() {
  for (const auto& c : links_) count_[c.link] = 0;
  links_.clear();
}

}  // namespace cs
