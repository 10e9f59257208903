#include "topology/topology_graph.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace cs {

namespace {

constexpr std::array<std::string_view, 8> kVertexNames = {"gpu", "nvswitch", "pcie_switch", "cpu",
                                                          "host_memory", "nic", "switch", "storage"};
constexpr std::array<std::string_view, kLinkKindCount> kLinkNames = {"nvlink",     "pcie",    "ethernet",
                                                                     "infiniband", "storage", "memory_bus"};

}  // namespace

std::string_view to_string(VertexKind k) { return kVertexNames[static_cast<std::size_t>(k)]; }
std::string_view to_string(LinkKind k) { return kLinkNames[static_cast<std::size_t>(k)]; }

std::optional<VertexKind> vertex_kind_from_string(std::string_view name) {
  for (std::size_t i = 0; i < kVertexNames.size(); ++i)
    if (kVertexNames[i] == name) return static_cast<VertexKind>(i);
  return std::nullopt;
}

std::optional<LinkKind> link_kind_from_string(std::string_view name) {
  for (std::size_t i = 0; i < kLinkNames.size(); ++i)
    if (kLinkNames[i] == name) return static_cast<LinkKind>(i);
  return std::nullopt;
}

bool is_terminal(VertexKind k) {
  return k == VertexKind::kGpu || k == VertexKind::kHostMemory || k == VertexKind::kStorage;
}

VertexId Topology::add_vertex(VertexInfo info) {
  if (!info.name.empty() && by_name_.count(info.name))
    throw std::invalid_argument("topology: duplicate vertex name '" + info.name + "'");
  const auto v = static_cast<VertexId>(boost::add_vertex(info, graph_));
  if (!info.name.empty()) by_name_.emplace(info.name, v);
  if (info.kind == VertexKind::kGpu) gpus_.push_back(v);
  node_count_ = std::max(node_count_, info.node + 1);
  return v;
}

VertexId Topology::add_vertex(VertexKind kind, std::string name, std::int32_t node, std::int32_t local) {
  VertexInfo info;
  info.kind = kind;
  info.name = std::move(name);
  info.node = node;
  info.local = local;
  return add_vertex(std::move(info));
}

LinkId Topology::add_directed_link(VertexId from, VertexId to, LinkKind kind, double bytes_per_s, Time latency) {
  if (from >= vertex_count() || to >= vertex_count() || from == to)
    throw std::invalid_argument("topology: link between invalid vertices");
  if (!(bytes_per_s > 0)) throw std::invalid_argument("topology: link bandwidth must be positive");
  if (latency < Time{}) throw std::invalid_argument("topology: negative link latency");
  LinkInfo info;
  info.kind = kind;
  info.bandwidth_bytes_per_s = bytes_per_s;
  info.latency = latency;
  info.id = static_cast<LinkId>(links_.size());
  info.from = from;
  info.to = to;
  boost::add_edge(from, to, info, graph_);  // parallel edges are allowed (two cables, one pair)
  links_.push_back(info);
  return info.id;
}

LinkId Topology::add_link(VertexId a, VertexId b, LinkKind kind, double bytes_per_s_ab, double bytes_per_s_ba,
                          Time latency) {
  const LinkId ab = add_directed_link(a, b, kind, bytes_per_s_ab, latency);
  const LinkId ba = add_directed_link(b, a, kind, bytes_per_s_ba, latency);
  links_[ab].reverse = ba;
  links_[ba].reverse = ab;
  for (const auto& e : boost::make_iterator_range(boost::out_edges(a, graph_)))
    if (graph_[e].id == ab) graph_[e].reverse = ba;
  for (const auto& e : boost::make_iterator_range(boost::out_edges(b, graph_)))
    if (graph_[e].id == ba) graph_[e].reverse = ab;
  return ab;
}

std::optional<VertexId> Topology::find(std::string_view name) const {
  const auto it = by_name_.find(std::string(name));
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

std::string Topology::link_name(LinkId l) const {
  const LinkInfo& info = link(l);
  return vertex(info.from).name + "->" + vertex(info.to).name;
}

double Topology::total_bandwidth(LinkKind kind) const {
  double sum = 0;
  for (const auto& l : links_)
    if (l.kind == kind) sum += l.bandwidth_bytes_per_s;
  return sum;
}

}  // namespace cs
