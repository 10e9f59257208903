#include "sim/serving/pool_selector.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sim/hardware/named_catalog.hpp"

namespace cs {

std::string_view pool_split_name(PoolSplit split) {
  switch (split) {
    case PoolSplit::kSmoothRoundRobin:
      return "smooth_round_robin";
    case PoolSplit::kRandom:
      return "random";
  }
  return "?";
}

PoolSelector::PoolSelector(std::vector<PoolTarget> pools, PoolSplit split, RandomStream* rng)
    : split_(split), rng_(rng) {
  if (pools.empty()) throw std::invalid_argument("a pool selector needs at least one pool");
  if (split_ == PoolSplit::kRandom && !rng_) throw std::invalid_argument("a random split needs a random stream");
  for (std::size_t i = 0; i < pools.size(); ++i) {
    if (!(pools[i].share > 0)) throw std::invalid_argument("pool shares must be positive");
    std::size_t m = 0;
    while (m < models_.size() && models_[m] != pools[i].model) ++m;
    if (m == models_.size()) {
      models_.push_back(pools[i].model);
      by_model_.emplace_back();
    }
    by_model_[m].pools.push_back(i);
    by_model_[m].shares.push_back(pools[i].share);
    by_model_[m].credit.push_back(0);
  }
  for (auto& m : by_model_) {
    double total = 0;
    for (double s : m.shares) total += s;
    for (double& s : m.shares) {
      s /= total;
      m.weights.push_back(std::max<std::int64_t>(1, std::llround(s * 1e6)));
      m.total_weight += m.weights.back();
    }
  }
}

std::size_t PoolSelector::find_model(std::string_view model) const {
  if (model.empty()) return models_.size() == 1 ? 0 : kNoPool;
  if (models_[last_model_] == model) return last_model_;
  for (std::size_t m = 0; m < models_.size(); ++m)
    if (models_[m] == model) return m;
  // Rare: a trace writing the name another way. catalog_key allocates, so only on a miss.
  const std::string key = catalog_key(std::string(model));
  for (std::size_t m = 0; m < models_.size(); ++m)
    if (catalog_key(models_[m]) == key) return m;
  return kNoPool;
}

std::size_t PoolSelector::select(std::string_view model) {
  const std::size_t m = find_model(model);
  if (m == kNoPool) return kNoPool;
  last_model_ = m;
  return pick(by_model_[m]);
}

std::size_t PoolSelector::pick(ModelPools& m) {
  const std::size_t n = m.pools.size();
  if (n == 1) return m.pools[0];
  std::size_t chosen = n - 1;
  if (split_ == PoolSplit::kRandom) {
    double u = rng_->uniform01();
    for (std::size_t i = 0; i + 1 < n; ++i) {
      if (u < m.shares[i]) {
        chosen = i;
        break;
      }
      u -= m.shares[i];
    }
  } else {
    chosen = 0;
    for (std::size_t i = 0; i < n; ++i) {
      m.credit[i] += m.weights[i];
      if (m.credit[i] > m.credit[chosen]) chosen = i;
    }
    m.credit[chosen] -= m.total_weight;
  }
  return m.pools[chosen];
}

}  // namespace cs
