#pragma once
// The cluster's wiring as a Boost.Graph adjacency_list: typed vertices (GPUs, switches, NICs,
// host CPUs and memory, storage) and directed links, each with its own line rate, latency and
// kind. A cable is two directed links (ids 2k and 2k+1 when added with add_link), because the
// two directions of a link are separate resources: a ring all-reduce fills both at once.
//
// Ids are the order of insertion (vecS storage, nothing is ever removed), so the same builder
// input always gives the same vertex and link ids, and everything keyed by them (routes,
// ECMP choices, output columns) is reproducible.
#include <boost/graph/adjacency_list.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sim/engine/time.hpp"

namespace cs {

using VertexId = std::uint32_t;
using LinkId = std::uint32_t;
constexpr VertexId kNoVertex = UINT32_MAX;
constexpr LinkId kNoLink = UINT32_MAX;

enum class VertexKind : std::uint8_t {
  kGpu,
  kNvSwitch,
  kPcieSwitch,
  kCpu,
  kHostMemory,
  kNic,
  kNetworkSwitch,
  kStorage,
};

enum class LinkKind : std::uint8_t {
  kNvLink,
  kPcie,
  kEthernet,
  kInfiniBand,
  kStorage,    // NVMe drive to its PCIe root
  kMemoryBus,  // CPU to its DRAM, and socket-to-socket (UPI/xGMI)
};
constexpr int kLinkKindCount = 6;

std::string_view to_string(VertexKind k);
std::string_view to_string(LinkKind k);
std::optional<VertexKind> vertex_kind_from_string(std::string_view name);
std::optional<LinkKind> link_kind_from_string(std::string_view name);

// Endpoints hold data but never forward it: a route may start or end at one, never cross it.
bool is_terminal(VertexKind k);

struct VertexInfo {
  VertexKind kind = VertexKind::kGpu;
  std::string name;
  std::int32_t node = -1;   // the server this vertex belongs to; -1 for fabric switches
  std::int32_t local = -1;  // index among the node's vertices of this kind (GPU 0..7, NIC 0..7)
  std::int32_t tier = -1;   // network switches: 0 leaf/ToR/rail, 1 spine/aggregation, 2 core
  bool in_switch_reduction = false;  // NVSwitch with NVLink SHARP (multicast + reduction)
};

struct LinkInfo {
  LinkKind kind = LinkKind::kNvLink;
  double bandwidth_bytes_per_s = 0;  // line rate in this direction
  Time latency;                      // propagation + forwarding delay of this hop
  LinkId id = kNoLink;
  LinkId reverse = kNoLink;          // the other direction of the same cable, if any
  VertexId from = kNoVertex;
  VertexId to = kNoVertex;
};

class Topology {
 public:
  // The edge list stays listS (the default): edge descriptors point at their bundled
  // properties, and a vecS edge list would move them when it grows.
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, VertexInfo, LinkInfo>;

  VertexId add_vertex(VertexInfo info);
  VertexId add_vertex(VertexKind kind, std::string name, std::int32_t node = -1, std::int32_t local = -1);
  // A cable: two directed links with their own rates; returns the a->b id (b->a is id + 1).
  LinkId add_link(VertexId a, VertexId b, LinkKind kind, double bytes_per_s_ab, double bytes_per_s_ba,
                  Time latency);
  LinkId add_link(VertexId a, VertexId b, LinkKind kind, double bytes_per_s, Time latency) {
    return add_link(a, b, kind, bytes_per_s, bytes_per_s, latency);
  }
  LinkId add_directed_link(VertexId from, VertexId to, LinkKind kind, double bytes_per_s, Time latency);

  std::size_t vertex_count() const { return boost::num_vertices(graph_); }
  std::size_t link_count() const { return links_.size(); }
  const VertexInfo& vertex(VertexId v) const { return graph_[v]; }
  const LinkInfo& link(LinkId l) const { return links_[l]; }
  const Graph& graph() const { return graph_; }

  // GPUs in insertion order (node-major for built clusters): the default collective group.
  std::span<const VertexId> gpus() const { return gpus_; }
  int node_count() const { return node_count_; }
  // The vertex named `name`, if any (names are unique; add_vertex rejects duplicates).
  std::optional<VertexId> find(std::string_view name) const;
  std::string link_name(LinkId l) const;  // "n0.gpu3->n0.nvswitch"
  // Total line rate of the links of a kind (both directions counted), for utilization.
  double total_bandwidth(LinkKind kind) const;

 private:
  Graph graph_;
  // The links by id, a copy of the graph's edge bundles: edge descriptors would dangle when a
  // Topology is copied or moved (adjacency_list copies its edge list), ids never do.
  std::vector<LinkInfo> links_;
  std::vector<VertexId> gpus_;
  std::unordered_map<std::string, VertexId> by_name_;
  int node_count_ = 0;
};

}  // namespace cs
