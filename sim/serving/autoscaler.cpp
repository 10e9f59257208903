#include "sim/serving/autoscaler.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace cs {

std::string_view scaling_metric_name(ScalingMetric metric) {
  switch (metric) {
    case ScalingMetric::kQueuePerReplica:
      return "queue_per_replica";
    case ScalingMetric::kUtilization:
      return "utilization";
    case ScalingMetric::kTtftPercentile:
      return "ttft_percentile";
    case ScalingMetric::kConcurrency:
      return "concurrency";
    case ScalingMetric::kKvCache:
      return "kv_cache";
  }
  return "unknown";
}

Autoscaler::Autoscaler(Engine& engine, RequestRouter& router, const AutoscalerSpec& spec, ReplicaFactory factory)
    : engine_(engine), router_(router), spec_(spec), factory_(std::move(factory)) {
  if (!factory_) throw std::invalid_argument("autoscaler: no replica factory");
  if (!(spec.target > 0)) throw std::invalid_argument("autoscaler: target must be positive");
  if (spec.metric == ScalingMetric::kUtilization && spec.target > 1)
    throw std::invalid_argument("autoscaler: a utilization target is a fraction in (0, 1]");
  if (spec.metric == ScalingMetric::kKvCache && spec.target > 1)
    throw std::invalid_argument("autoscaler: a KV-cache target is a fraction in (0, 1]");
  if (!(spec.ttft_quantile > 0 && spec.ttft_quantile <= 1))
    throw std::invalid_argument("autoscaler: ttft_quantile must be in (0, 1]");
  if (spec.evaluation_period <= Time{}) throw std::invalid_argument("autoscaler: evaluation_period must be positive");
  if (spec.ttft_window <= Time{}) throw std::invalid_argument("autoscaler: ttft_window must be positive");
  if (spec.load_window < Time{}) throw std::invalid_argument("autoscaler: load_window must not be negative");
  if (spec.load_sample_period <= Time{}) throw std::invalid_argument("autoscaler: load_sample_period must be positive");
  if (!(spec.tolerance >= 0 && spec.tolerance < 1))
    throw std::invalid_argument("autoscaler: tolerance must be in [0, 1)");
  if (spec.provisioning_delay < Time{} || spec.weight_load_delay < Time{} || spec.scale_up_cooldown < Time{} ||
      spec.scale_down_cooldown < Time{})
    throw std::invalid_argument("autoscaler: delays and cooldowns must not be negative");
  if (spec.scale_down_stabilization < Time{})
    throw std::invalid_argument("autoscaler: the scale-down stabilization window must not be negative");
  if (!(spec.max_scale_down_fraction > 0 && spec.max_scale_down_fraction <= 1))
    throw std::invalid_argument("autoscaler: max_scale_down_fraction must be in (0, 1]");
  if (spec.min_replicas < 0 || spec.max_replicas < 1 || spec.min_replicas > spec.max_replicas)
    throw std::invalid_argument("autoscaler: need 0 <= min_replicas <= max_replicas and max_replicas >= 1");
  if (spec.gpus_per_replica < 1) throw std::invalid_argument("autoscaler: gpus_per_replica must be at least 1");
  if (spec.gpu_limit < 0) throw std::invalid_argument("autoscaler: gpu_limit must not be negative");
  if (spec.gpu_limit > 0 && spec.gpu_limit < static_cast<std::int64_t>(spec.min_replicas) * spec.gpus_per_replica)
    throw std::invalid_argument("autoscaler: the provider's " + std::to_string(spec.gpu_limit) + " GPUs cannot hold " +
                                std::to_string(spec.min_replicas) + " replicas of " +
                                std::to_string(spec.gpus_per_replica) + " GPUs");
  if (spec.metric == ScalingMetric::kTtftPercentile)
    router_.on_first_token.connect([this](const RequestOutcome& o) {
      ttfts_.push_back({*o.first_token, o.ttft()->seconds()});
    });
}

void Autoscaler::start(int initial, Time end) {
  end_ = end;
  add_replicas(std::max(initial, spec_.min_replicas), /*boot=*/false);
  desired_ = router_.count_in(ReplicaState::kReady);
  recommendations_.push_back({engine_.now(), desired_});
  if (engine_.now() + spec_.evaluation_period <= end_)
    engine_.schedule_in(spec_.evaluation_period, [this] { evaluate(); });
  const bool averaged = spec_.metric == ScalingMetric::kConcurrency || spec_.metric == ScalingMetric::kKvCache;
  if (averaged && spec_.load_window > Time{}) sample_load();
}

void Autoscaler::sample_load() {
  const Time now = engine_.now();
  // Ready replicas only: a pool of none has no load per replica to average.
  if (router_.count_in(ReplicaState::kReady) > 0) load_samples_.push_back({now, instant_load()});
  while (!load_samples_.empty() && load_samples_.front().at <= now - spec_.load_window) load_samples_.pop_front();
  // Observers' priority: a sample sees the instant after the model has moved.
  if (now + spec_.load_sample_period <= end_)
    engine_.schedule_in(
        spec_.load_sample_period, [this] { sample_load(); }, Priority::kObserve);
}

double Autoscaler::instant_load() const {
  if (spec_.metric == ScalingMetric::kConcurrency) {
    const int ready = router_.count_in(ReplicaState::kReady);
    return static_cast<double>(router_.queued() + router_.running()) / std::max(ready, 1);
  }
  double used = 0, total = 0;
  for (const Replica* r : router_.ready_replicas()) {
    used += static_cast<double>(r->kv_blocks_used());
    total += static_cast<double>(r->kv_blocks_total());
  }
  return total > 0 ? used / total : 0.0;
}

int Autoscaler::add_replicas(int count, bool boot) {
  const int active = router_.count_in(ReplicaState::kProvisioning) + router_.count_in(ReplicaState::kLoadingWeights) +
                     router_.count_in(ReplicaState::kReady);
  count = std::min(count, spec_.max_replicas - active);
  if (spec_.gpu_limit > 0) {
    const auto room = static_cast<int>((spec_.gpu_limit - router_.gpus_in_use()) / spec_.gpus_per_replica);
    if (count > room) {
      shortfall_ += static_cast<std::uint64_t>(count - std::max(room, 0));
      count = room;
    }
  }
  for (int i = 0; i < count; ++i) {
    if (grant_ && !grant_(router_.next_replica_id(), spec_.gpus_per_replica)) {
      shortfall_ += static_cast<std::uint64_t>(count - i);
      count = i;
      break;
    }
    std::unique_ptr<Replica> replica = factory_(router_.next_replica_id());
    if (!replica || replica->spec().gpus != spec_.gpus_per_replica)
      throw std::logic_error("autoscaler: the factory built a replica of " +
                             std::to_string(replica ? replica->spec().gpus : 0) + " GPUs, expected " +
                             std::to_string(spec_.gpus_per_replica));
    Replica& r = router_.add_replica(std::move(replica));
    if (boot && boot_)
      boot_(r, spec_.provisioning_delay);
    else if (boot)
      r.start(spec_.provisioning_delay, spec_.weight_load_delay);
    else
      r.start(Time{}, Time{});
    ++added_;
  }
  return std::max(count, 0);
}

int Autoscaler::remove_replicas(int count) {
  const int wanted = count;
  const auto& all = router_.replicas();
  // Booting replicas first, newest first: nothing is lost and they cost the least to give up.
  for (auto it = all.rbegin(); it != all.rend() && count > 0; ++it) {
    const ReplicaState s = (*it)->state();
    if (s == ReplicaState::kProvisioning || s == ReplicaState::kLoadingWeights) {
      (*it)->drain();
      ++removed_;
      --count;
    }
  }
  while (count > 0 && !router_.ready_replicas().empty()) {
    const auto& ready = router_.ready_replicas();
    Replica* victim = ready.front();
    for (Replica* r : ready)
      if (r->outstanding() <= victim->outstanding()) victim = r;  // ties: the newest
    victim->drain();
    ++removed_;
    --count;
  }
  return wanted - count;
}

bool Autoscaler::measure(int ready, double& metric) {
  const Time now = engine_.now();
  switch (spec_.metric) {
    case ScalingMetric::kQueuePerReplica:
      metric = static_cast<double>(router_.queued()) / std::max(ready, 1);
      return true;
    case ScalingMetric::kConcurrency:
    case ScalingMetric::kKvCache: {
      if (ready == 0) return false;
      if (spec_.load_window == Time{}) {
        metric = instant_load();
        return true;
      }
      while (!load_samples_.empty() && load_samples_.front().at <= now - spec_.load_window) load_samples_.pop_front();
      if (load_samples_.empty()) return false;
      double sum = 0;
      for (const LoadSample& l : load_samples_) sum += l.value;
      metric = sum / static_cast<double>(load_samples_.size());
      return true;
    }
    case ScalingMetric::kUtilization: {
      const auto& all = router_.replicas();
      busy_at_last_evaluation_.resize(all.size(), 0.0);
      double busy = 0;
      for (const auto& r : all) {
        const double b = r->busy_seconds();
        if (r->state() == ReplicaState::kReady) busy += b - busy_at_last_evaluation_[r->id()];
        busy_at_last_evaluation_[r->id()] = b;
      }
      if (ready == 0) return false;
      metric = busy / (spec_.evaluation_period.seconds() * ready);
      return true;
    }
    case ScalingMetric::kTtftPercentile: {
      while (!ttfts_.empty() && ttfts_.front().at <= now - spec_.ttft_window) ttfts_.pop_front();
      if (ttfts_.empty()) return false;  // no first token in the window: nothing to judge by
      scratch_.clear();
      for (const TtftSample& s : ttfts_) scratch_.push_back(s.ttft_s);
      // Nearest rank: the smallest sample with at least q of the samples at or below it.
      const auto rank = static_cast<std::size_t>(
          std::max(1.0, std::ceil(spec_.ttft_quantile * static_cast<double>(scratch_.size()))));
      std::nth_element(scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(rank - 1), scratch_.end());
      metric = scratch_[rank - 1];
      return true;
    }
  }
  return false;
}

void Autoscaler::evaluate() {
  const Time now = engine_.now();
  if (now + spec_.evaluation_period <= end_) engine_.schedule_in(spec_.evaluation_period, [this] { evaluate(); });

  const int ready = router_.count_in(ReplicaState::kReady);
  const int active =
      ready + router_.count_in(ReplicaState::kProvisioning) + router_.count_in(ReplicaState::kLoadingWeights);
  double metric = 0;
  int desired = active;
  if (measure(ready, metric)) {
    last_metric_ = metric;
    const double ratio = metric / spec_.target;
    if (ratio > 1 + spec_.tolerance || ratio < 1 - spec_.tolerance)
      desired = static_cast<int>(std::ceil(static_cast<double>(std::max(ready, 1)) * ratio));
    // Nothing ready yet and replicas on the way: wait for them rather than judge by a pool of none.
    if (ready == 0 && active > 0) desired = std::max(desired, active);
  }
  desired = std::clamp(desired, spec_.min_replicas, spec_.max_replicas);
  desired_ = desired;
  recommendations_.push_back({now, desired});
  while (recommendations_.front().at < now - spec_.scale_down_stabilization) recommendations_.pop_front();
  int floor_in_window = desired;
  for (const Recommendation& r : recommendations_) floor_in_window = std::max(floor_in_window, r.replicas);

  if (desired > active && now - last_action_ >= spec_.scale_up_cooldown) {
    if (add_replicas(desired - active, /*boot=*/true) > 0) last_action_ = now;
  } else if (floor_in_window < active && now - last_action_ >= spec_.scale_down_cooldown) {
    const int step = std::max(1, static_cast<int>(std::floor(active * spec_.max_scale_down_fraction)));
    if (remove_replicas(std::min(active - floor_in_window, step)) > 0) last_action_ = now;
  }
}

}  // namespace cs
