#include "sim/network/link_efficiency.hpp"

#include <stdexcept>
#include <string>

namespace cs {

double LinkEfficiency::fraction(LinkKind kind) const {
  switch (kind) {
    case LinkKind::kNvLink: return nvlink;
    case LinkKind::kPcie: return pcie;
    case LinkKind::kEthernet: return ethernet;
    case LinkKind::kInfiniBand: return infiniband;
    case LinkKind::kStorage: return storage;
    case LinkKind::kMemoryBus: return memory_bus;
  }
  return 1.0;
}

void LinkEfficiency::validate() const {
  for (int k = 0; k < kLinkKindCount; ++k) {
    const double f = fraction(static_cast<LinkKind>(k));
    if (!(f > 0 && f <= 1))
      throw std::invalid_argument("link efficiency for " + std::string(to_string(static_cast<LinkKind>(k))) +
                                  " must be in (0, 1]");
  }
}

}  // namespace cs
