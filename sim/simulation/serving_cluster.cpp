#include "sim/simulation/serving_cluster.hpp"

#include <algorithm>
#include <utility>

#include "sim/network/fabric.hpp"
#include "sim/simulation/kv_handoff.hpp"
#include "sim/simulation/replica_placement.hpp"
#include "sim/simulation/training_system.hpp"

namespace cs {

namespace {
// A decode pool takes its requests from the prefill pool, never from the streams.
std::vector<std::size_t> selectable_pools(std::size_t pools, const DisaggregationSpec* d) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < pools; ++i)
    if (!d || i != d->decode_pool) out.push_back(i);
  return out;
}
std::vector<PoolTarget> targets_of(const std::vector<const ServingPoolSpec*>& pools,
                                   const std::vector<std::size_t>& selectable) {
  std::vector<PoolTarget> out;
  for (const std::size_t i : selectable) out.push_back({pools[i]->model.name, pools[i]->share});
  return out;
}
}  // namespace

ServingCluster::ServingCluster(Engine& engine, const std::vector<const ServingPoolSpec*>& pools,
                               std::vector<std::unique_ptr<RequestSource>> streams, PoolSplit split,
                               Fabric* fabric, const DisaggregationSpec* disaggregation)
    : engine_(engine),
      selectable_(selectable_pools(pools.size(), disaggregation)),
      selector_(targets_of(pools, selectable_), split,
                split == PoolSplit::kRandom ? &engine.random("pool_split") : nullptr) {
  // Every pool takes its replicas' GPUs from one ledger of the topology: no GPU is held twice.
  if (fabric) own_ledger_ = std::make_unique<GpuLedger>(fabric->topology().gpus().size());
  ledger_ = own_ledger_.get();
  // One loader for every pool: their weights share the storage, and the nodes' caches.
  const bool flows = std::any_of(pools.begin(), pools.end(), [](const ServingPoolSpec* p) { return p->weights_from; });
  if (fabric && flows) weights_ = std::make_unique<WeightLoader>(fabric->network());
  for (std::size_t i = 0; i < pools.size(); ++i) {
    pools_.push_back(std::make_unique<ServingSystem>(engine_, *pools[i], fabric, own_ledger_.get(), weights_.get()));
    // A prefill pool's completions are hand-offs; the decode pool reports those requests.
    const bool prefill = disaggregation && i == disaggregation->prefill_pool;
    pools_.back()->router().on_request_done.connect([this, prefill](const RequestOutcome& o) {
      if (!prefill || o.status != RequestStatus::kCompleted) outcome_known();
    });
  }
  if (disaggregation) {
    if (!fabric) throw std::invalid_argument("disaggregation: the KV transfer needs a `topology:`");
    handoff_ = std::make_unique<KvHandoff>(engine_, *fabric, *pools_.at(disaggregation->prefill_pool),
                                           *pools_.at(disaggregation->decode_pool), *disaggregation);
  }
  for (auto& s : streams) streams_.push_back({std::move(s), std::nullopt});
}

ServingCluster::~ServingCluster() = default;

void ServingCluster::borrow_from(TrainingSystem& training) {
  for (std::size_t i = 0; i < pools_.size(); ++i) pools_[i]->set_gpu_lender(training.lender(i));
  // Every placement has let go of this ledger: the cluster's records the replicas' GPUs.
  own_ledger_.reset();
  ledger_ = &training.ledger();
}

void ServingCluster::start(Time horizon) {
  horizon_ = horizon;
  for (auto& p : pools_) p->start(horizon);
  for (std::size_t i = 0; i < streams_.size(); ++i) schedule_next_arrival(i);
}

void ServingCluster::schedule_next_arrival(std::size_t stream) {
  Stream& s = streams_[stream];
  s.next = s.source->next();
  if (!s.next || s.next->arrival > horizon_) {
    s.next.reset();
    return;
  }
  engine_.schedule_at(std::max(s.next->arrival, engine_.now()), [this, stream] { arrive(stream); });
}

void ServingCluster::arrive(std::size_t stream) {
  // Moved out before the next read replaces it; the next arrival is scheduled before this one
  // is submitted, as a single pool always did (same event order, same results).
  const InferenceRequest request = std::move(*streams_[stream].next);
  const std::uint64_t id = next_id_++;
  schedule_next_arrival(stream);
  const std::size_t pick = selector_.select(request.model);
  if (pick != PoolSelector::kNoPool) {
    const std::size_t pool = selectable_[pick];
    const bool prefill = handoff_ && pool == handoff_->spec().prefill_pool;
    pools_[pool]->submit(request, id, prefill ? RequestPhase::kPrefillOnly : RequestPhase::kWhole);
    return;
  }
  ++unroutable_;
  if (first_unroutable_model_.empty()) first_unroutable_model_ = request.model.empty() ? "(none)" : request.model;
  RequestOutcome o;
  o.id = id;
  o.status = RequestStatus::kRejected;
  o.arrival = engine_.now();
  o.finish = o.arrival;
  o.input_tokens = std::max<std::int64_t>(request.input_tokens, 1);
  o.output_tokens = std::max<std::int64_t>(request.output_tokens, 1);
  on_unroutable.emit(o);
  outcome_known();
}

void ServingCluster::outcome_known() {
  ++outcomes_;
  if (drained_ || outcomes_ != next_id_) return;
  for (const Stream& s : streams_)
    if (s.next) return;
  drained_ = true;
  on_drained.emit();
}

void ServingCluster::finish() {
  if (handoff_) handoff_->finish();
  for (auto& p : pools_) p->finish();
}

std::uint64_t ServingCluster::skipped_rows() const {
  std::uint64_t n = 0;
  for (const auto& s : streams_) n += s.source->skipped_rows();
  return n;
}

}  // namespace cs
