#include "topology/router.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace cs {

namespace {

std::uint64_t mix(std::uint64_t x) {
  // splitmix64 finaliser: a fixed, portable hash so ECMP choices never depend on the library.
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

constexpr std::uint32_t kLabelBits = 20;

}  // namespace

Router::Router(const Topology& topo) : topo_(topo) {
  const std::size_t n = topo.vertex_count();
  const auto& g = topo.graph();
  out_begin_.assign(n + 1, 0);
  in_begin_.assign(n + 1, 0);
  for (std::size_t l = 0; l < topo.link_count(); ++l) {
    ++out_begin_[topo.link(static_cast<LinkId>(l)).from + 1];
    ++in_begin_[topo.link(static_cast<LinkId>(l)).to + 1];
  }
  for (std::size_t v = 0; v < n; ++v) {
    out_begin_[v + 1] += out_begin_[v];
    in_begin_[v + 1] += in_begin_[v];
  }
  out_links_.resize(topo.link_count());
  out_to_.resize(topo.link_count());
  in_links_.resize(topo.link_count());
  in_from_.resize(topo.link_count());
  // Out-edges in the graph's own order (insertion order), so ECMP candidates are stable.
  for (std::size_t v = 0; v < n; ++v) {
    std::uint32_t o = out_begin_[v];
    for (const auto& e : boost::make_iterator_range(boost::out_edges(v, g))) {
      out_links_[o] = g[e].id;
      out_to_[o] = g[e].to;
      ++o;
    }
  }
  std::vector<std::uint32_t> fill(in_begin_.begin(), in_begin_.end() - 1);
  for (std::size_t l = 0; l < topo.link_count(); ++l) {
    const LinkInfo& info = topo.link(static_cast<LinkId>(l));
    in_links_[fill[info.to]] = info.id;
    in_from_[fill[info.to]++] = info.from;
  }

  node_.resize(n);
  terminal_.resize(n);
  fabric_index_.assign(n, -1);
  std::vector<std::uint32_t> node_sizes(static_cast<std::size_t>(topo.node_count()) + 1, 0);
  for (std::size_t v = 0; v < n; ++v) {
    const VertexInfo& info = topo.vertex(static_cast<VertexId>(v));
    node_[v] = info.node;
    terminal_[v] = is_terminal(info.kind);
    if (info.node < 0 && !terminal_[v]) {
      fabric_index_[v] = static_cast<std::int32_t>(fabric_vertices_.size());
      fabric_vertices_.push_back(static_cast<VertexId>(v));
    }
    if (info.node >= 0) ++node_sizes[static_cast<std::size_t>(info.node) + 1];
  }
  node_begin_.assign(node_sizes.size(), 0);
  for (std::size_t i = 1; i < node_sizes.size(); ++i) node_begin_[i] = node_begin_[i - 1] + node_sizes[i];
  node_members_.resize(node_begin_.back());
  std::vector<std::uint32_t> at(node_begin_.begin(), node_begin_.end());
  for (std::size_t v = 0; v < n; ++v)
    if (node_[v] >= 0) node_members_[at[static_cast<std::size_t>(node_[v])]++] = static_cast<VertexId>(v);

  // Ports: links from fabric switches down into nodes (or to endpoints), switch by switch.
  port_index_.assign(topo.link_count(), UINT32_MAX);
  std::uint32_t ports = 0;
  for (const VertexId f : fabric_vertices_)
    for (std::uint32_t i = out_begin_[f]; i < out_begin_[f + 1]; ++i)
      if (fabric_index_[out_to_[i]] < 0) port_index_[out_links_[i]] = ports++;

  stamp_.assign(n, 0);
  dist_.assign(n, kInf);
  region_.assign(n, kOutside);
}

RouteId Router::route_id(VertexId src, VertexId dst, std::uint32_t flow_label) {
  const std::size_t n = topo_.vertex_count();
  if (src >= n || dst >= n) throw std::out_of_range("route: vertex id out of range");
  if (src == dst) throw std::invalid_argument("route: source and destination are the same vertex");
  const std::uint32_t label = flow_label & ((1u << kLabelBits) - 1);
  const std::uint64_t key = ((static_cast<std::uint64_t>(src) * n + dst) << kLabelBits) | label;
  if (load_) return adaptive_route(src, dst, label);
  const auto it = cache_.find(key);
  if (it != cache_.end()) return it->second;
  const RouteId id = compute(src, dst, label);
  cache_.emplace(key, id);
  return id;
}

void Router::set_adaptive(const LinkLoad* load) {
  load_ = load;
  pending_.assign(load ? topo_.link_count() : 0, 0);
  pending_log_.clear();
  best_.assign(load ? topo_.vertex_count() : 0, 0);
  best_stamp_.assign(load ? topo_.vertex_count() : 0, 0);
  if (load) pending_epoch_ = load->load_epoch();
}

std::size_t Router::begin_trial() {
  if (load_ && load_->load_epoch() != pending_epoch_) {
    for (const LinkId l : pending_log_) pending_[l] = 0;
    pending_log_.clear();
    pending_epoch_ = load_->load_epoch();
  }
  return pending_log_.size();
}

void Router::undo_pending(std::size_t mark) {
  // A flow started inside the trial moved the epoch and cleared the log already.
  while (pending_log_.size() > mark) {
    --pending_[pending_log_.back()];
    pending_log_.pop_back();
  }
}

RouteId Router::adaptive_route(VertexId src, VertexId dst, std::uint32_t label) {
  begin_trial();  // only to forget a moved epoch's pending routes
  RouteId id = compute(src, dst, label);
  const Path p = paths_[id];
  std::string key(reinterpret_cast<const char*>(links_.data() + p.offset), p.hops * sizeof(LinkId));
  const auto [it, fresh] = interned_.emplace(std::move(key), id);
  if (!fresh) {  // a path handed out before: keep one copy
    links_.resize(p.offset);
    paths_.pop_back();
    id = it->second;
  }
  for (const LinkId l : path(id).links) {
    ++pending_[l];
    pending_log_.push_back(l);
  }
  return id;
}

bool Router::may_exit(VertexId v) const {
  return src_node_ < 0 || std::find(exit_.begin(), exit_.end(), v) != exit_.end();
}

Router::Region Router::region(VertexId v) const {
  if (stamp_[v] == stamp_now_) return static_cast<Region>(region_[v]);
  return fabric_index_[v] >= 0 ? kFabric : kOutside;
}

std::uint32_t Router::distance(VertexId v) const {
  if (stamp_[v] == stamp_now_) return dist_[v];
  const std::int32_t f = fabric_index_[v];
  if (f < 0 || !field_) return kInf;
  const std::uint16_t d = (*field_)[static_cast<std::size_t>(f)];
  return d == UINT16_MAX ? kInf : d + field_offset_;
}

const std::vector<std::uint16_t>& Router::fabric_field(
    const std::vector<std::pair<std::uint32_t, std::uint32_t>>& seeds, std::uint32_t& offset) {
  // Key: the attachment points with distances relative to the nearest one.
  offset = kInf;
  for (const auto& s : seeds) offset = std::min(offset, s.second);
  std::string key;
  key.reserve(seeds.size() * 8);
  for (const auto& [f, d] : seeds) {
    const std::uint32_t words[2] = {f, d - offset};
    key.append(reinterpret_cast<const char*>(words), sizeof words);
  }
  const auto it = field_index_.find(key);
  if (it != field_index_.end()) return fields_[it->second];

  // Layered breadth-first search backwards over fabric links, seeds entering at their levels.
  std::vector<std::uint16_t> field(fabric_vertices_.size(), UINT16_MAX);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pending(seeds);  // sorted by vertex; re-sort by level
  std::sort(pending.begin(), pending.end(), [](const auto& a, const auto& b) {
    return a.second < b.second || (a.second == b.second && a.first < b.first);
  });
  std::size_t next_seed = 0;
  std::vector<std::uint32_t> frontier, next;
  std::uint32_t level = 0;
  while (next_seed < pending.size() || !frontier.empty()) {
    if (frontier.empty()) level = pending[next_seed].second - offset;
    while (next_seed < pending.size() && pending[next_seed].second - offset == level) {
      const std::uint32_t f = pending[next_seed++].first;
      if (field[f] == UINT16_MAX) {
        field[f] = static_cast<std::uint16_t>(level);
        frontier.push_back(f);
      }
    }
    next.clear();
    for (const std::uint32_t f : frontier) {
      const VertexId v = fabric_vertices_[f];
      for (std::uint32_t i = in_begin_[v]; i < in_begin_[v + 1]; ++i) {
        const std::int32_t u = fabric_index_[in_from_[i]];
        if (u >= 0 && field[static_cast<std::size_t>(u)] == UINT16_MAX) {
          field[static_cast<std::size_t>(u)] = static_cast<std::uint16_t>(level + 1);
          next.push_back(static_cast<std::uint32_t>(u));
        }
      }
    }
    frontier.swap(next);
    ++level;
  }
  field_index_.emplace(std::move(key), static_cast<std::uint32_t>(fields_.size()));
  fields_.push_back(std::move(field));
  return fields_.back();
}

RouteId Router::compute(VertexId src, VertexId dst, std::uint32_t label) {
  if (++stamp_now_ == 0) {  // wrapped: clear stamps once every 4 billion routes
    std::fill(stamp_.begin(), stamp_.end(), 0);
    stamp_now_ = 1;
  }
  src_ = src;
  dst_ = dst;
  src_node_ = node_[src];
  dst_node_ = node_[dst];
  field_ = nullptr;
  auto set = [&](VertexId v, std::uint32_t d, Region r) {
    stamp_[v] = stamp_now_;
    dist_[v] = d;
    region_[v] = r;
  };

  // 1. Inside the destination's node (or the destination alone, outside any node).
  std::vector<VertexId> dst_region{dst};
  set(dst, 0, kDstRegion);
  for (std::size_t q = 0; q < dst_region.size(); ++q) {
    const VertexId v = dst_region[q];
    for (std::uint32_t i = in_begin_[v]; i < in_begin_[v + 1]; ++i) {
      const VertexId u = in_from_[i];
      if (stamp_[u] == stamp_now_) continue;
      const bool same_node = dst_node_ >= 0 && node_[u] == dst_node_;
      if (u == src && same_node) {
        set(u, dist_[v] + 1, kDstRegion);
        continue;
      }
      if (!same_node || terminal_[u]) continue;
      set(u, dist_[v] + 1, kDstRegion);
      dst_region.push_back(u);
    }
  }

  const bool intra_node = stamp_[src] == stamp_now_;
  if (!intra_node) {
    if (src_node_ >= 0 && src_node_ == dst_node_)
      throw std::runtime_error("route: no path inside node " + std::to_string(src_node_) + " from " +
                               topo_.vertex(src).name + " to " + topo_.vertex(dst).name);
    // 2. The fabric, seeded where the destination region is entered from it.
    // Traffic enters the node only where the destination is nearest the fabric (its own NIC,
    // as GPUDirect RDMA and NCCL's NIC affinity do): with a node's NICs on different switches,
    // a hop count alone would come in through another GPU's NIC and cross the host's CPU.
    std::uint32_t nearest_entry = kInf;
    for (const VertexId v : dst_region)
      for (std::uint32_t i = in_begin_[v]; i < in_begin_[v + 1]; ++i)
        if (fabric_index_[in_from_[i]] >= 0) nearest_entry = std::min(nearest_entry, dist_[v] + 1);
    std::vector<std::pair<std::uint32_t, std::uint32_t>> seeds;
    for (const VertexId v : dst_region)
      for (std::uint32_t i = in_begin_[v]; i < in_begin_[v + 1]; ++i) {
        const std::int32_t f = fabric_index_[in_from_[i]];
        if (f >= 0 && dist_[v] + 1 == nearest_entry) seeds.emplace_back(static_cast<std::uint32_t>(f), dist_[v] + 1);
      }
    // The destination's port: the nearest entry from the fabric, lowest port number on ties.
    std::uint32_t best_dist = kInf;
    dst_port_ = mix(dst);
    for (const VertexId v : dst_region)
      for (std::uint32_t i = in_begin_[v]; i < in_begin_[v + 1]; ++i)
        if (fabric_index_[in_from_[i]] >= 0) {
          const std::uint32_t d = dist_[v] + 1, port = port_index_[in_links_[i]];
          if (d < best_dist || (d == best_dist && port < dst_port_)) {
            best_dist = d;
            dst_port_ = port;
          }
        }
    std::sort(seeds.begin(), seeds.end());
    // Keep the shortest entry per fabric vertex.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> unique;
    for (const auto& s : seeds)
      if (unique.empty() || unique.back().first != s.first) unique.push_back(s);
    if (!unique.empty()) field_ = &fabric_field(unique, field_offset_);

    // 3. The source's node (or the source alone): relax until stable; nodes are small.
    std::vector<VertexId> src_region;
    if (src_node_ >= 0) {
      for (std::uint32_t i = node_begin_[static_cast<std::size_t>(src_node_)];
           i < node_begin_[static_cast<std::size_t>(src_node_) + 1]; ++i) {
        const VertexId v = node_members_[i];
        if (v == src || !terminal_[v]) src_region.push_back(v);
      }
    } else {
      src_region.push_back(src);
    }
    for (const VertexId v : src_region) set(v, kInf, kSrcRegion);
    // Likewise traffic leaves only where the source is nearest the fabric: hops from the
    // source inside its node, then the exits at the least of them.
    exit_.clear();
    if (src_node_ >= 0) {
      // Breadth-first over the node (a few dozen vertices): queue order is hop order.
      std::vector<std::pair<VertexId, std::uint32_t>> queue{{src, 0}};
      auto queued = [&](VertexId w) {
        return std::any_of(queue.begin(), queue.end(), [w](const auto& e) { return e.first == w; });
      };
      std::uint32_t nearest_exit = kInf;
      for (std::size_t q = 0; q < queue.size(); ++q) {
        const auto [v, h] = queue[q];
        if (h > nearest_exit) break;
        for (std::uint32_t i = out_begin_[v]; i < out_begin_[v + 1]; ++i) {
          const VertexId w = out_to_[i];
          if (fabric_index_[w] >= 0) {
            if (h < nearest_exit) exit_.clear();
            if (h <= nearest_exit) exit_.push_back(v);
            nearest_exit = std::min(nearest_exit, h);
          } else if (node_[w] == src_node_ && !terminal_[w] && !queued(w)) {
            queue.emplace_back(w, h + 1);
          }
        }
      }
    }
    for (bool changed = true; changed;) {
      changed = false;
      for (const VertexId v : src_region)
        for (std::uint32_t i = out_begin_[v]; i < out_begin_[v + 1]; ++i) {
          const VertexId w = out_to_[i];
          if (w == src || (terminal_[w] && w != dst)) continue;
          const Region r = region(w);
          if (r == kOutside || (r == kFabric && !may_exit(v))) continue;
          const std::uint32_t d = distance(w);
          if (d != kInf && d + 1 < dist_[v]) {
            dist_[v] = d + 1;
            changed = true;
          }
        }
    }
  }
  if (distance(src) == kInf)
    throw std::runtime_error("route: " + topo_.vertex(dst).name + " is unreachable from " + topo_.vertex(src).name);

  // Walk forward; regions only go src -> fabric -> dst (servers do not forward for others).
  Path p{static_cast<std::uint32_t>(links_.size()), 0, Time{}};
  VertexId v = src;
  const std::uint64_t flow = mix(mix((static_cast<std::uint64_t>(src) << 32) | dst) ^ label);
  LinkId candidates[64];
  VertexId targets[64];
  std::uint64_t stride = 1;  // D-mod-K: product of the up-link counts chosen so far
  if (load_) ++best_epoch_;
  while (v != dst) {
    const int count = next_hops(v, candidates, targets);
    if (count == 0) throw std::logic_error("route: distance field inconsistent at " + topo_.vertex(v).name);
    const bool fabric = region(v) == kFabric;
    int pick = 0;
    if (count > 1 && fabric && topo_.link(candidates[0]).kind == LinkKind::kInfiniBand) {
      pick = static_cast<int>(dst_port_ / stride % static_cast<std::uint64_t>(count));
      stride = std::min<std::uint64_t>(stride * static_cast<std::uint64_t>(count), std::uint64_t{1} << 40);
    } else if (count > 1) {
      pick = hashed(v, flow, count);
    }
    if (count > 1 && fabric && load_) {
      // Adaptive: the next hop on the path whose bottleneck share is largest, searched from the
      // static choice so that it wins ties.
      ++choices_;
      int best = pick;
      double best_value = std::min(share_on(candidates[pick]), best_share(targets[pick], flow));
      for (int i = 1; i < count; ++i) {
        const int c = (pick + i) % count;
        const double value = std::min(share_on(candidates[c]), best_share(targets[c], flow));
        if (value > best_value) {
          best = c;
          best_value = value;
        }
      }
      pick = best;
    }
    links_.push_back(candidates[pick]);
    p.latency += topo_.link(candidates[pick]).latency;
    ++p.hops;
    v = targets[pick];
  }
  paths_.push_back(p);
  return static_cast<RouteId>(paths_.size() - 1);
}

int Router::next_hops(VertexId v, LinkId* links, VertexId* targets) const {
  const std::uint32_t d = distance(v);
  const Region rv = region(v);
  int count = 0;
  for (std::uint32_t i = out_begin_[v]; i < out_begin_[v + 1] && count < 64; ++i) {
    const VertexId w = out_to_[i];
    if (w != dst_ && (terminal_[w] || w == src_)) continue;
    const Region rw = region(w);
    if (rw == kOutside || rw < rv || (rv == kSrcRegion && rw == kFabric && !may_exit(v))) continue;
    if (distance(w) + 1 != d) continue;
    links[count] = out_links_[i];
    targets[count++] = w;
  }
  return count;
}

int Router::hashed(VertexId v, std::uint64_t flow, int count) const {
  return static_cast<int>(mix(flow ^ (static_cast<std::uint64_t>(v) * 0x100000001B3ULL)) %
                          static_cast<std::uint64_t>(count));
}

double Router::best_share(VertexId v, std::uint64_t flow) {
  if (v == dst_) return std::numeric_limits<double>::infinity();
  if (best_stamp_[v] == best_epoch_) return best_[v];
  LinkId links[64];
  VertexId targets[64];
  const int count = next_hops(v, links, targets);
  double best = 0;
  if (count == 1 || (count > 1 && region(v) != kFabric)) {
    // No choice here, or the static hash outside the fabric (which adaptive switches do not make).
    const int c = count == 1 ? 0 : hashed(v, flow, count);
    best = std::min(share_on(links[c]), best_share(targets[c], flow));
  } else {
    for (int c = 0; c < count; ++c) best = std::max(best, std::min(share_on(links[c]), best_share(targets[c], flow)));
  }
  best_stamp_[v] = best_epoch_;
  best_[v] = best;
  return best;
}

}  // namespace cs
