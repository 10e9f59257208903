#include "sim/simulation/serving_cluster.hpp"

#include <algorithm>
#include <utility>

#include "sim/network/fabric.hpp"
#include "sim/simulation/replica_placement.hpp"

namespace cs {

namespace {
std::vector<PoolTarget> targets_of(const std::vector<const ServingPoolSpec*>& pools) {
  std::vector<PoolTarget> out;
  for (const ServingPoolSpec* p : pools) out.push_back({p->model.name, p->share});
  return out;
}
}  // namespace

ServingCluster::ServingCluster(Engine& engine, const std::vector<const ServingPoolSpec*>& pools,
                               std::vector<std::unique_ptr<RequestSource>> streams, PoolSplit split,
                               Fabric* fabric)
    : engine_(engine),
      selector_(targets_of(pools), split, split == PoolSplit::kRandom ? &engine.random("pool_split") : nullptr) {
  // Every pool takes its replicas' GPUs from one ledger of the topology: no GPU is held twice.
  if (fabric) gpus_ = std::make_unique<GpuLedger>(fabric->topology().gpus().size());
  for (const ServingPoolSpec* p : pools) {
    pools_.push_back(std::make_unique<ServingSystem>(engine_, *p, fabric, gpus_.get()));
    pools_.back()->router().on_request_done.connect([this](const RequestOutcome&) { outcome_known(); });
  }
  for (auto& s : streams) streams_.push_back({std::move(s), std::nullopt});
}

ServingCluster::~ServingCluster() = default;

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
  const std::size_t pool = selector_.select(request.model);
  if (pool != PoolSelector::kNoPool) {
    pools_[pool]->submit(request, id);
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
  for (auto& p : pools_) p->finish();
}

std::uint64_t ServingCluster::skipped_rows() const {
  std::uint64_t n = 0;
  for (const auto& s : streams_) n += s.source->skipped_rows();
  return n;
}

}  // namespace cs
