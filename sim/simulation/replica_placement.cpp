#include "sim/simulation/replica_placement.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "topology/replica_slots.hpp"

namespace cs {

bool ReplicaPlacement::all_free(std::span<const VertexId> gpus) const {
  return std::all_of(gpus.begin(), gpus.end(),
                     [&](VertexId g) { return ledger_->holder(ledger_index_[g]).owner == GpuOwner::kFree; });
}

ReplicaPlacement::ReplicaPlacement(const ServingPoolSpec& pool, const Topology& topology,
                                   CollectiveCostModel& collectives, GpuLedger* shared)
    : pool_(pool),
      collectives_(collectives),
      own_ledger_(shared ? nullptr : std::make_unique<GpuLedger>(topology.gpus().size())),
      ledger_(shared ? shared : own_ledger_.get()),
      ledger_index_(topology.vertex_count(), 0) {
  if (ledger_->size() != topology.gpus().size())
    throw std::logic_error("serving: the GPU ledger is not the topology's");
  for (std::size_t i = 0; i < topology.gpus().size(); ++i) ledger_index_[topology.gpus()[i]] = i;
  const int tp = pool.plan.tp, pp = pool.plan.pp, ep = pool.plan.ep;
  const int per_replica = pp * ep;  // TP groups of one replica
  for (std::vector<VertexId>& gpus : replica_slots(topology, tp, per_replica)) {
    auto slot = std::make_shared<Slot>();
    slot->collectives = &collectives;
    slot->tp = tp;
    slot->pp = pp;
    slot->ep = ep;
    slot->gpus = std::move(gpus);
    slots_.push_back(std::move(slot));
  }
  if (slots_.empty())
    throw std::invalid_argument("serving: the topology's " + std::to_string(topology.gpus().size()) +
                                " GPUs cannot hold one replica of " + std::to_string(tp * per_replica) + " GPUs");
  taken_.assign(slots_.size(), false);
  cost_by_slot_.resize(slots_.size());
}

void ReplicaPlacement::place_by_lender() {
  if (in_use_ > 0) throw std::logic_error("serving: a lender cannot take over a pool with placed replicas");
  ledger_ = nullptr;
  own_ledger_.reset();
}

int ReplicaPlacement::acquire() {
  if (!ledger_) throw std::logic_error("serving: the lender places this pool's replicas");
  for (std::size_t k = 0; k < slots_.size(); ++k) {
    if (taken_[k] || !all_free(slots_[k]->gpus)) continue;
    const GpuHolder replica{GpuOwner::kServing, static_cast<std::uint64_t>(slots_[k]->gpus.front()) + 1};
    for (const VertexId g : slots_[k]->gpus) ledger_->acquire(ledger_index_[g], replica);
    taken_[k] = true;
    ++in_use_;
    return static_cast<int>(k);
  }
  return -1;
}

void ReplicaPlacement::release(int slot) {
  if (!taken_.at(static_cast<std::size_t>(slot))) throw std::logic_error("replica slot released twice");
  taken_[static_cast<std::size_t>(slot)] = false;
  const auto& gpus = slots_[static_cast<std::size_t>(slot)]->gpus;
  const GpuHolder replica{GpuOwner::kServing, static_cast<std::uint64_t>(gpus.front()) + 1};
  for (const VertexId g : gpus) ledger_->release(ledger_index_[g], replica);
  --in_use_;
}

double ReplicaPlacement::Slot::tp_all_reduce_s(double bytes) {
  if (tp < 2 || bytes <= 0) return 0;
  const auto [it, fresh] = tp_cache.try_emplace(bytes, 0.0);
  if (fresh) {
    double sum = 0;
    for (int s = 0; s < pp * ep; ++s) {
      const std::span<const VertexId> group(gpus.data() + static_cast<std::ptrdiff_t>(s) * tp,
                                            static_cast<std::size_t>(tp));
      sum += collectives->estimate_seconds(CollectiveOp::kAllReduce, CollectiveAlgorithm::kAuto, group, bytes);
    }
    it->second = sum / (pp * ep);
  }
  return it->second;
}

double ReplicaPlacement::Slot::pp_send_s(double bytes) {
  if (pp < 2 || bytes <= 0) return 0;
  const auto [it, fresh] = pp_cache.try_emplace(bytes, 0.0);
  if (fresh) {
    double sum = 0;
    for (int s = 0; s + 1 < pp; ++s) {
      const VertexId pair[2] = {gpus[static_cast<std::size_t>(s * ep * tp)],
                                gpus[static_cast<std::size_t>((s + 1) * ep * tp)]};
      sum += collectives->estimate_seconds(CollectiveOp::kSendRecv, CollectiveAlgorithm::kAuto, pair, bytes);
    }
    it->second = sum / (pp - 1);
  }
  return it->second;
}

double ReplicaPlacement::Slot::ep_all_to_all_s(double bytes) {
  if (ep < 2 || bytes <= 0) return 0;
  const auto [it, fresh] = ep_cache.try_emplace(bytes, 0.0);
  if (fresh) {
    // The first stage's TP rank 0 of each of the ep groups; the other TP ranks run their own
    // all-to-alls at the same time over the other GPUs of the same groups.
    std::vector<VertexId> group;
    for (int e = 0; e < ep; ++e) group.push_back(gpus[static_cast<std::size_t>(e * tp)]);
    it->second = collectives->estimate_seconds(
        CollectiveOp::kAllToAll, collectives->best(CollectiveOp::kAllToAll, group, bytes), group, bytes);
  }
  return it->second;
}

double ReplicaPlacement::tp_all_reduce_s(int slot, double bytes) {
  return slots_.at(static_cast<std::size_t>(slot))->tp_all_reduce_s(bytes);
}

double ReplicaPlacement::pp_send_s(int slot, double bytes) {
  return slots_.at(static_cast<std::size_t>(slot))->pp_send_s(bytes);
}

std::shared_ptr<const LlmIterationCost> ReplicaPlacement::cost_for(int slot) {
  auto& cached = cost_by_slot_.at(static_cast<std::size_t>(slot));
  if (!cached) cached = cost_of(slots_[static_cast<std::size_t>(slot)]);
  return cached;
}

std::shared_ptr<ReplicaPlacement::Slot> ReplicaPlacement::slot_on(std::span<const VertexId> gpus,
                                                                  CollectiveCostModel& collectives) {
  const int tp = pool_.plan.tp, pp = pool_.plan.pp, ep = pool_.plan.ep;
  if (gpus.size() != static_cast<std::size_t>(tp * pp * ep))
    throw std::invalid_argument("serving: a replica of " + std::to_string(tp * pp * ep) + " GPUs priced on " +
                                std::to_string(gpus.size()));
  auto slot = std::make_shared<Slot>();
  slot->gpus.assign(gpus.begin(), gpus.end());
  slot->collectives = &collectives;
  slot->tp = tp;
  slot->pp = pp;
  slot->ep = ep;
  return slot;
}

std::shared_ptr<const LlmIterationCost> ReplicaPlacement::cost_for_gpus(std::span<const VertexId> gpus) {
  auto& cached = cost_by_gpus_[std::vector<VertexId>(gpus.begin(), gpus.end())];
  if (!cached) {
    auto slot = slot_on(gpus, collectives_);
    // Its own model, not one shared by probe signature: lent GPUs are anywhere, and the
    // probes agreeing would not prove two GPU sets cost the same at every size.
    CommunicationCost comm;
    comm.tp_all_reduce_s = [slot](double bytes) { return slot->tp_all_reduce_s(bytes); };
    comm.pp_send_s = [slot](double bytes) { return slot->pp_send_s(bytes); };
    comm.ep_all_to_all_s = [slot](double bytes) { return slot->ep_all_to_all_s(bytes); };
    cached = std::make_shared<LlmIterationCost>(pool_.model, pool_.gpu, pool_.precision, pool_.plan, std::move(comm),
                                                pool_.engine, pool_.streaming);
  }
  return cached;
}

std::shared_ptr<const LlmIterationCost> ReplicaPlacement::contended_cost(std::span<const VertexId> gpus,
                                                                         CollectiveCostModel& idle,
                                                                         std::function<double()> slowdown,
                                                                         std::function<double(double)> host_copy_s) {
  auto slot = slot_on(gpus, idle);
  auto factor = std::make_shared<std::function<double()>>(std::move(slowdown));
  CommunicationCost comm;
  comm.tp_all_reduce_s = [slot, factor](double bytes) { return slot->tp_all_reduce_s(bytes) * (*factor)(); };
  comm.pp_send_s = [slot, factor](double bytes) { return slot->pp_send_s(bytes) * (*factor)(); };
  comm.ep_all_to_all_s = [slot, factor](double bytes) { return slot->ep_all_to_all_s(bytes) * (*factor)(); };
  comm.host_copy_s = std::move(host_copy_s);
  return std::make_shared<LlmIterationCost>(pool_.model, pool_.gpu, pool_.precision, pool_.plan, std::move(comm),
                                            pool_.engine, pool_.streaming);
}

std::shared_ptr<const LlmIterationCost> ReplicaPlacement::cost_of(const std::shared_ptr<Slot>& s) {
  // Slots on alike nodes cost the same: probe sizes from a decode step to a full prefill.
  std::vector<double> signature;
  for (const double bytes : {16.0 * 1024, 1024.0 * 1024, 64.0 * 1024 * 1024}) {
    signature.push_back(s->tp_all_reduce_s(bytes));
    signature.push_back(s->pp_send_s(bytes));
    signature.push_back(s->ep_all_to_all_s(bytes));
  }
  auto& shared = cost_by_signature_[signature];
  if (!shared) {
    CommunicationCost comm;
    comm.tp_all_reduce_s = [s](double bytes) { return s->tp_all_reduce_s(bytes); };
    comm.pp_send_s = [s](double bytes) { return s->pp_send_s(bytes); };
    comm.ep_all_to_all_s = [s](double bytes) { return s->ep_all_to_all_s(bytes); };
    shared = std::make_shared<LlmIterationCost>(pool_.model, pool_.gpu, pool_.precision, pool_.plan, std::move(comm),
                                                pool_.engine, pool_.streaming);
  }
  return shared;
}

}  // namespace cs
