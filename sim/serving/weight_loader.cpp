#include "sim/serving/weight_loader.hpp"

#include <stdexcept>
#include <string>

#include "topology/object_store.hpp"

namespace cs {

std::string_view weight_source_name(WeightSource source) {
  switch (source) {
    case WeightSource::kObjectStore: return "object_store";
    case WeightSource::kNvmeCache: return "nvme_cache";
    case WeightSource::kPeer: return "peer";
  }
  return "?";
}

WeightLoader::WeightLoader(FlowNetwork& network) : network_(network) {
  const Topology& topo = network.topology();
  const std::optional<VertexId> store = find_object_store(topo);
  if (!store)
    throw std::invalid_argument("weights as flows need an object store on the topology (topology.storage.object_store)");
  store_ = *store;
  nvme_of_node_.assign(static_cast<std::size_t>(topo.node_count()), kNoVertex);
  for (VertexId v = 0; v < topo.vertex_count(); ++v) {
    const VertexInfo& info = topo.vertex(v);
    if (info.kind == VertexKind::kStorage && info.node >= 0 && info.node < topo.node_count() &&
        nvme_of_node_[static_cast<std::size_t>(info.node)] == kNoVertex)
      nvme_of_node_[static_cast<std::size_t>(info.node)] = v;
  }
}

void WeightLoader::hold(std::string_view model, std::span<const VertexId> gpus) {
  auto& nodes = held_[std::string(model)];
  for (const VertexId g : gpus) nodes.insert(network_.topology().vertex(g).node);
}

void WeightLoader::hold_everywhere(std::string_view model) {
  auto& nodes = held_[std::string(model)];
  for (int n = 0; n < network_.topology().node_count(); ++n) nodes.insert(n);
}

bool WeightLoader::holds(std::string_view model, int node) const {
  const auto it = held_.find(std::string(model));
  return it != held_.end() && it->second.count(node) > 0;
}

WeightLoader::LoadId WeightLoader::begin(std::uint32_t replica, std::string_view model,
                                         std::span<const VertexId> gpus, double bytes_per_gpu, WeightSource source,
                                         std::span<const VertexId> peer_gpus, std::function<void()> loaded) {
  if (gpus.empty()) throw std::invalid_argument("weight load: a replica without GPUs on the topology");
  if (!(bytes_per_gpu >= 0)) throw std::invalid_argument("weight load: bytes per GPU must not be negative");
  if (source == WeightSource::kPeer && !peer_gpus.empty() && peer_gpus.size() != gpus.size())
    throw std::invalid_argument("weight load: the peer replica has " + std::to_string(peer_gpus.size()) +
                                " GPUs, the new one " + std::to_string(gpus.size()));
  const auto id = static_cast<LoadId>(loads_.size());
  loads_.emplace_back();
  Load& load = loads_.back();
  load.model = std::string(model);
  load.gpus.assign(gpus.begin(), gpus.end());
  load.loaded = std::move(loaded);
  load.record.replica = replica;
  load.record.asked = source;
  load.record.start = network_.engine().now();
  load.record.bytes = bytes_per_gpu * static_cast<double>(gpus.size());
  load.pending = static_cast<int>(gpus.size());
  load.active = true;
  ++in_flight_;

  const bool peer = source == WeightSource::kPeer && !peer_gpus.empty();
  bool all_cached = source == WeightSource::kNvmeCache;
  std::vector<VertexId> from(gpus.size(), store_);
  for (std::size_t i = 0; i < gpus.size(); ++i) {
    if (peer) {
      from[i] = peer_gpus[i];
    } else if (source == WeightSource::kNvmeCache) {
      const int node = network_.topology().vertex(gpus[i]).node;
      const bool cached = node >= 0 && nvme_of_node_[static_cast<std::size_t>(node)] != kNoVertex && holds(model, node);
      if (cached) {
        from[i] = nvme_of_node_[static_cast<std::size_t>(node)];
      } else {
        all_cached = false;
        load.nodes_to_fill.push_back(gpus[i]);
      }
    }
  }
  load.record.used = peer ? WeightSource::kPeer : all_cached ? WeightSource::kNvmeCache : WeightSource::kObjectStore;
  load.flows.assign(gpus.size(), FlowHandle{});
  for (std::size_t i = 0; i < gpus.size(); ++i) {
    // A zero-byte shard (a null handle) is still delivered, after the latency.
    load.flows[i] = send(id, static_cast<std::uint32_t>(i), from[i], bytes_per_gpu);
  }
  return id;
}

FlowHandle WeightLoader::send(LoadId id, std::uint32_t shard, VertexId from, double bytes) {
  // The label spreads a load's shards, and the loads, over equal-cost paths.
  return network_.handle(network_.start(
      from, loads_[id].gpus[shard], bytes, [this, id, shard] { delivered(id, shard); }, id * 64 + shard));
}

void WeightLoader::switch_source(LoadId id, std::span<const VertexId> peer_gpus) {
  if (id >= loads_.size() || !loads_[id].active) return;
  Load& load = loads_[id];
  if (!peer_gpus.empty() && peer_gpus.size() != load.gpus.size())
    throw std::invalid_argument("weight load: the new peer replica has " + std::to_string(peer_gpus.size()) +
                                " GPUs, the loading one " + std::to_string(load.gpus.size()));
  if (peer_gpus.empty()) load.record.used = WeightSource::kObjectStore;
  for (std::size_t i = 0; i < load.flows.size(); ++i) {
    const FlowHandle f = load.flows[i];
    // Delivered, or its last byte already sent and on its way (the handle is stale then, even
    // when another flow has its id now): nothing left at the source.
    if (!network_.active(f)) continue;
    const double left = network_.remaining(f);
    network_.stop(f);
    load.flows[i] = send(id, static_cast<std::uint32_t>(i), peer_gpus.empty() ? store_ : peer_gpus[i], left);
  }
}

void WeightLoader::delivered(LoadId id, std::uint32_t shard) {
  Load& load = loads_[id];
  if (!load.active) return;
  load.flows[shard] = FlowHandle{};
  if (--load.pending > 0) return;
  load.active = false;
  --in_flight_;
  load.record.end = network_.engine().now();
  if (!load.nodes_to_fill.empty()) hold(load.model, load.nodes_to_fill);
  const WeightLoadRecord record = load.record;
  std::function<void()> loaded = std::move(load.loaded);
  on_load_done.emit(record);
  if (loaded) loaded();
}

void WeightLoader::cancel(LoadId id) {
  if (id >= loads_.size() || !loads_[id].active) return;
  Load& load = loads_[id];
  load.active = false;
  --in_flight_;
  for (FlowHandle& f : load.flows) {
    network_.stop(f);
    f = FlowHandle{};
  }
  load.loaded = nullptr;
}

double WeightLoader::bytes_in_flight() const {
  double bytes = 0;
  for (const Load& load : loads_) {
    if (!load.active) continue;
    for (const FlowHandle f : load.flows) bytes += network_.remaining(f);
  }
  return bytes;
}

}  // namespace cs
