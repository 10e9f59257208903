#include "sim/network/collective_types.hpp"

#include <algorithm>
#include <array>

namespace cs {

namespace {

constexpr std::array<std::string_view, 6> kOpNames = {"all_reduce", "all_gather", "reduce_scatter",
                                                       "all_to_all", "broadcast",  "send_recv"};
constexpr std::array<std::string_view, 9> kAlgorithmNames = {"auto",   "ring",     "tree",    "hierarchical", "nvls",
                                                             "direct", "pipeline", "collnet", "nvls_tree"};
constexpr std::array<std::string_view, 3> kSharpNames = {"none", "quantum", "quantum2"};

constexpr std::array<std::string_view, 4> kProtocolNames = {"auto", "ll", "ll128", "simple"};

}  // namespace

std::string_view to_string(CollectiveProtocol p) { return kProtocolNames[static_cast<std::size_t>(p)]; }

std::optional<CollectiveProtocol> collective_protocol_from_string(std::string_view s) {
  for (std::size_t i = 0; i < kProtocolNames.size(); ++i)
    if (kProtocolNames[i] == s) return static_cast<CollectiveProtocol>(i);
  return std::nullopt;
}

std::string_view to_string(SharpGeneration g) { return kSharpNames[static_cast<std::size_t>(g)]; }

std::optional<SharpGeneration> sharp_generation_from_string(std::string_view s) {
  for (std::size_t i = 0; i < kSharpNames.size(); ++i)
    if (kSharpNames[i] == s) return static_cast<SharpGeneration>(i);
  return std::nullopt;
}

HopClass hop_class(LinkKind kind) {
  switch (kind) {
    case LinkKind::kNvLink: return HopClass::kNvLink;
    case LinkKind::kInfiniBand:
    case LinkKind::kEthernet: return HopClass::kNetwork;
    default: return HopClass::kPcie;
  }
}

HopClass slowest_hop(const Topology& topo, std::span<const LinkId> links) {
  HopClass c = HopClass::kNvLink;
  for (const LinkId l : links) c = std::max(c, hop_class(topo.link(l).kind));
  return c;
}

Time hop_latency(const ProtocolCost& p, HopClass c) {
  switch (c) {
    case HopClass::kNvLink: return p.hop_nvlink;
    case HopClass::kPcie: return p.hop_pcie;
    case HopClass::kNetwork: return p.hop_network;
  }
  return p.hop_pcie;
}

std::string_view to_string(CollectiveOp op) { return kOpNames[static_cast<std::size_t>(op)]; }
std::string_view to_string(CollectiveAlgorithm a) { return kAlgorithmNames[static_cast<std::size_t>(a)]; }

std::optional<CollectiveOp> collective_op_from_string(std::string_view s) {
  for (std::size_t i = 0; i < kOpNames.size(); ++i)
    if (kOpNames[i] == s) return static_cast<CollectiveOp>(i);
  return std::nullopt;
}

std::optional<CollectiveAlgorithm> collective_algorithm_from_string(std::string_view s) {
  for (std::size_t i = 0; i < kAlgorithmNames.size(); ++i)
    if (kAlgorithmNames[i] == s) return static_cast<CollectiveAlgorithm>(i);
  return std::nullopt;
}

double bus_bandwidth_factor(CollectiveOp op, std::size_t ranks) {
  const double n = static_cast<double>(ranks);
  switch (op) {
    case CollectiveOp::kAllReduce: return 2 * (n - 1) / n;
    case CollectiveOp::kAllGather:
    case CollectiveOp::kReduceScatter:
    case CollectiveOp::kAllToAll: return (n - 1) / n;
    case CollectiveOp::kBroadcast:
    case CollectiveOp::kSendRecv: return 1.0;
  }
  return 1.0;
}

}  // namespace cs
