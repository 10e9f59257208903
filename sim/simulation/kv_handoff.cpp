#include "sim/simulation/kv_handoff.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include "sim/llm/transformer_cost.hpp"
#include "sim/network/fabric.hpp"

namespace cs {

namespace {
constexpr std::uint64_t kEcmpLabels = 16;
}  // namespace

KvHandoff::KvHandoff(Engine& engine, Fabric& fabric, ServingSystem& prefill, ServingSystem& decode,
                     const DisaggregationSpec& spec)
    : engine_(engine),
      fabric_(fabric),
      prefill_(prefill),
      decode_(decode),
      spec_(spec),
      kv_bytes_per_token_(kv_cache_bytes_per_token(prefill.spec().model, prefill.spec().precision.kv_cache)),
      layers_(prefill.spec().model.layers),
      tp_from_(prefill.spec().plan.tp),
      tp_to_(decode.spec().plan.tp),
      shards_(kv_shards(tp_from_, tp_to_)),
      decode_block_tokens_(decode.spec().replica.kv_block_tokens) {
  const ServingPoolSpec& p = prefill.spec();
  const ServingPoolSpec& d = decode.spec();
  if (p.model.name != d.model.name)
    throw std::invalid_argument("disaggregation: the prefill pool serves '" + p.model.name + "', the decode pool '" +
                                d.model.name + "'; a decode replica continues the prefill's model");
  if (p.precision.kv_cache != d.precision.kv_cache)
    throw std::invalid_argument("disaggregation: the two pools keep the KV cache in different formats");
  if (p.plan.pp != 1 || d.plan.pp != 1)
    throw std::invalid_argument("disaggregation: KV transfer between pipeline-parallel replicas is not modelled (pp 1)");
  prefill_.router().on_request_done.connect([this](const RequestOutcome& o) { prefilled(o); });
  // Requests wait for a decode replica to be ready; they go out as soon as one is.
  decode_.router().on_replica_state.connect([this](const Replica& r, ReplicaState) {
    if (r.state() != ReplicaState::kReady) return;
    std::deque<Pending> now;
    now.swap(waiting_);
    for (Pending& p : now) dispatch(std::move(p));
  });
}

std::int64_t KvHandoff::blocks_for(const ServingRequest& r) const {
  // The prompt's KV and the first token fed back by the first decode step.
  return (r.input_tokens + 1 + decode_block_tokens_ - 1) / decode_block_tokens_;
}

void KvHandoff::prefilled(const RequestOutcome& o) {
  // Rejected, dropped and unfinished requests end at the prefill pool, which reports them.
  if (o.status != RequestStatus::kCompleted) return;
  Pending p;
  p.request.id = o.id;
  p.request.arrival = o.arrival;
  p.request.input_tokens = o.input_tokens;
  p.request.output_tokens = o.output_tokens;
  p.request.phase = RequestPhase::kDecodeOnly;
  p.request.first_scheduled = o.first_scheduled;
  p.request.first_token = o.first_token;
  p.prefill_replica = o.replica;
  // A completed prompt was scheduled and produced its first token.
  p.prefill_end = o.first_token.value();
  p.prefill = *o.first_token - o.first_scheduled.value();
  p.overlap = true;
  dispatch(std::move(p));
}

void KvHandoff::dispatch(Pending p) {
  Replica* to = choose(p.prefill_replica);
  if (!to) {
    // No decode replica to stream to during the prefill: its KV leaves once one is ready.
    p.overlap = false;
    waiting_.push_back(std::move(p));
    return;
  }
  if (p.request.output_tokens == 1) {
    // Nothing to decode, so no KV to move: the decode replica completes it on arrival.
    decode_.router().deliver(p.request, *to);
    return;
  }
  start_transfer(std::move(p), *to);
}

Replica* KvHandoff::choose(std::uint32_t prefill_replica) {
  const auto& ready = decode_.router().ready_replicas();
  if (ready.empty()) return nullptr;
  const auto load = [this](const Replica* r) {
    const std::int64_t incoming = r->id() < incoming_.size() ? incoming_[r->id()] : 0;
    return static_cast<double>(r->kv_blocks_used() + incoming) / static_cast<double>(r->kv_blocks_total());
  };
  std::span<const VertexId> from = prefill_.gpus_of_replica(prefill_replica);
  Replica* best = nullptr;
  std::size_t best_hops = 0;
  double best_load = 0;
  for (Replica* r : ready) {
    std::size_t hops = 0;
    if (spec_.routing == DecodeRouting::kLocality) {
      std::span<const VertexId> to = decode_.gpus_of_replica(r->id());
      hops = from.empty() || to.empty() ? 0 : fabric_.router().hops(fabric_.router().route_id(from[0], to[0]));
    }
    const double l = load(r);
    if (!best || hops < best_hops || (hops == best_hops && l < best_load)) {
      best = r;
      best_hops = hops;
      best_load = l;
    }
  }
  return best;
}

void KvHandoff::start_transfer(Pending p, Replica& to) {
  std::span<const VertexId> src = prefill_.gpus_of_replica(p.prefill_replica);
  std::span<const VertexId> dst = decode_.gpus_of_replica(to.id());
  if (src.size() < static_cast<std::size_t>(tp_from_) || dst.size() < static_cast<std::size_t>(tp_to_))
    throw std::logic_error("kv handoff: a replica has no GPUs on the topology");
  const std::uint32_t slot = transfers_.acquire();
  Transfer& t = transfers_[slot];
  t = Transfer{};
  t.decode_replica = to.id();
  t.blocks = blocks_for(p.request);
  t.bytes = kv_bytes_per_token_ * static_cast<double>(p.request.input_tokens);
  const KvTransferMode mode = p.overlap ? spec_.transfer : KvTransferMode::kAfterPrefill;
  t.pending = std::move(p);
  if (incoming_.size() <= to.id()) incoming_.resize(to.id() + 1, 0);
  incoming_[to.id()] += t.blocks;
  FlowNetwork& net = fabric_.network();
  // Each shard on its own route, as the transfer engines of DistServe and Mooncake send each
  // GPU's part of the KV over that GPU's own NIC. Requests spread over kEcmpLabels hashes
  // where Ethernet ECMP has several equal paths; bounded so the router's cache of routes is.
  const auto label = static_cast<std::uint32_t>(t.pending.request.id % kEcmpLabels);
  struct Start {
    VertexId a, b;
    double bytes;
  };
  std::vector<Start> starts;
  for (const KvShard& s : shards_) {
    const VertexId a = src[static_cast<std::size_t>(s.from)];
    const VertexId b = dst[static_cast<std::size_t>(s.to)];
    const double bytes = t.bytes * s.fraction;
    double bottleneck = std::numeric_limits<double>::infinity();
    if (a != b)
      for (const LinkId l : fabric_.router().route(a, b, label).links) bottleneck = std::min(bottleneck, net.capacity(l));
    const double left = kv_bytes_left_at_prefill_end(mode, bytes, layers_, t.pending.prefill, bottleneck);
    t.sent_after += left;
    starts.push_back({a, b, left});
  }
  t.flows_left = static_cast<int>(starts.size());
  ++moving_;
  // Started after the record is complete: a flow on one GPU (a == b) reports at once.
  for (const Start& s : starts) {
    const FlowId f = net.start(s.a, s.b, s.bytes, [this, slot] { delivered(slot); }, label);
    transfers_[slot].flows.push_back(net.handle(f));
  }
}

void KvHandoff::delivered(std::uint32_t slot) {
  Transfer& t = transfers_[slot];
  if (--t.flows_left > 0) return;
  --moving_;
  incoming_[t.decode_replica] -= t.blocks;
  KvTransferRecord rec;
  rec.request = t.pending.request.id;
  rec.prefill_replica = t.pending.prefill_replica;
  rec.decode_replica = t.decode_replica;
  rec.bytes = t.bytes;
  rec.sent_after = t.sent_after;
  rec.prefill_end = t.pending.prefill_end;
  rec.delivered = engine_.now();
  Pending p = std::move(t.pending);
  const std::uint32_t to_id = t.decode_replica;
  transfers_.release(slot);
  on_transfer_done.emit(rec);
  p.request.first_token = engine_.now();
  Replica& to = *decode_.router().replicas().at(to_id);
  if (to.accepting()) {
    decode_.router().deliver(p.request, to);
    return;
  }
  // The replica stopped taking requests while the KV moved (scaled down, reclaimed): the
  // request goes to another one, its KV sent again.
  p.overlap = false;
  dispatch(std::move(p));
}

void KvHandoff::finish() {
  // Transfers in flight: their flows stop; each request goes to the decode router as it is.
  // (The engine has stopped, so nothing queued there runs; finish_run reports them.)
  FlowNetwork& net = fabric_.network();
  std::vector<ServingRequest> left;
  for (std::uint32_t slot = 0; moving_ > 0; ++slot) {
    Transfer& t = transfers_[slot];
    if (t.flows_left <= 0) continue;
    // A flow already done but not yet delivered has a stale handle: its id may be another's.
    for (const FlowHandle f : t.flows) net.stop(f);
    t.flows_left = 0;
    --moving_;
    left.push_back(t.pending.request);
  }
  for (const Pending& p : waiting_) left.push_back(p.request);
  waiting_.clear();
  for (ServingRequest& r : left) {
    r.first_token.reset();  // its first token never reached the user
    decode_.router().submit(r);
  }
}

}  // namespace cs
