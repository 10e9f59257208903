#pragma once
// Small deterministic pieces shared by the serving tests: cost models whose times are easy to
// compute by hand, a replica spec with a roomy KV cache, and a Poisson feeder.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/serving/iteration_cost_model.hpp"
#include "sim/serving/replica.hpp"
#include "sim/serving/request_router.hpp"

namespace Catch {
template <>
struct StringMaker<cs::Time> {
  static std::string convert(cs::Time t) { return std::to_string(t.count_ns()) + " ns"; }
};
}  // namespace Catch

namespace cs::test {

// Every iteration takes the same time whatever it holds.
class FixedIterationCost final : public IterationCostModel {
 public:
  explicit FixedIterationCost(Time t) : t_(t) {}
  Time iteration_time(const BatchShape&) const override { return t_; }

 private:
  Time t_;
};

inline std::shared_ptr<const IterationCostModel> fixed_cost(Time t) {
  return std::make_shared<FixedIterationCost>(t);
}

// A KV cache of `blocks` blocks of `block_tokens` tokens (1 byte per token keeps it exact).
inline ReplicaSpec roomy_spec(std::int64_t blocks = 100'000, std::int64_t block_tokens = 16) {
  ReplicaSpec spec;
  spec.kv_block_tokens = block_tokens;
  spec.kv_bytes_per_token = 1;
  spec.kv_cache_bytes = static_cast<double>(blocks * block_tokens);
  return spec;
}

// Poisson arrivals of identical requests into a router until `end`.
class PoissonFeeder {
 public:
  PoissonFeeder(Engine& engine, RequestRouter& router, double rate_per_s, std::int64_t input, std::int64_t output,
                Time end)
      : engine_(engine),
        router_(router),
        rng_(engine.random("test arrivals")),
        rate_(rate_per_s),
        input_(input),
        output_(output),
        end_(end) {}
  void start() { schedule(); }
  std::uint64_t sent() const { return next_id_; }

 private:
  void schedule() {
    const Time at = engine_.now() + Time::from_seconds_round(rng_.exponential(rate_));
    if (at > end_) return;
    engine_.schedule_at(at, [this] {
      router_.submit({next_id_++, engine_.now(), input_, output_});
      schedule();
    });
  }
  Engine& engine_;
  RequestRouter& router_;
  RandomStream& rng_;
  double rate_;
  std::int64_t input_, output_;
  Time end_;
  std::uint64_t next_id_ = 0;
};

}  // namespace cs::test
