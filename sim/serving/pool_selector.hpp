#pragma once
// Chooses the serving pool for a request by the model it names: a request goes to one of the
// pools serving that model, split by their shares. Two ways of splitting:
//
//  - smooth weighted round robin (the default; nginx's upstream algorithm): each pick adds
//    every candidate's share to its credit, takes the pool with the most credit and charges
//    it the total (integer credits: ties go to the first pool, the same on every machine).
//    Deterministic, no random numbers, and after any n requests every pool has had within one
//    request of n·share, so two pool mixes compare on the pools alone, not on
//    the noise of a coin.
//  - weighted random: an independent draw per request from the stream "pool_split", which
//    thins a Poisson stream into independent Poisson streams (a load balancer that picks at
//    random); a pool's count over n requests is then binomial(n, share).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/engine/random.hpp"

namespace cs {

enum class PoolSplit : std::uint8_t { kSmoothRoundRobin, kRandom };

// One pool as the selector sees it: the catalog name of the model it serves and its share
// among the pools of that model (any positive scale; only ratios matter).
struct PoolTarget {
  std::string model;
  double share = 1;
};

class PoolSelector {
 public:
  static constexpr std::size_t kNoPool = SIZE_MAX;

  // `rng` is read only with PoolSplit::kRandom (and may then not be null). Throws
  // std::invalid_argument for no pools or a share that is not positive.
  PoolSelector(std::vector<PoolTarget> pools, PoolSplit split, RandomStream* rng);

  // The pool for a request naming `model` (the empty name means the only model served), or
  // kNoPool when no pool serves it. Names match exactly or as catalog keys do ("Llama_2_70B"
  // finds "llama-2-70b").
  std::size_t select(std::string_view model);

  // The models served, in order of their first pool; and whether one is.
  const std::vector<std::string>& models() const { return models_; }
  bool serves(std::string_view model) const { return find_model(model) != kNoPool; }

 private:
  struct ModelPools {
    std::vector<std::size_t> pools;
    std::vector<double> shares;         // normalized to sum 1
    std::vector<std::int64_t> weights;  // the shares in millionths, so credits add exactly
    std::int64_t total_weight = 0;
    std::vector<std::int64_t> credit;  // smooth round robin state
  };
  std::size_t find_model(std::string_view model) const;
  std::size_t pick(ModelPools& m);

  PoolSplit split_;
  RandomStream* rng_;
  std::vector<std::string> models_;
  std::vector<ModelPools> by_model_;
  std::size_t last_model_ = 0;  // requests of a stream mostly name the same model
};

std::string_view pool_split_name(PoolSplit split);

}  // namespace cs
