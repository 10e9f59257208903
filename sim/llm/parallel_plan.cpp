#include "sim/llm/parallel_plan.hpp"

#include <stdexcept>

namespace cs {

std::string ParallelPlan::describe() const {
  std::string s = "tp=" + std::to_string(tp) + " pp=" + std::to_string(pp) + " dp=" + std::to_string(dp);
  if (ep > 1) s += " ep=" + std::to_string(ep);
  return s;
}

void validate(const ParallelPlan& plan, const TransformerSpec& model) {
  auto fail = [&](const std::string& what) {
    throw std::invalid_argument("plan " + plan.describe() + " for model '" + model.name + "': " + what);
  };
  if (plan.tp < 1 || plan.pp < 1 || plan.dp < 1 || plan.ep < 1) fail("every degree must be at least 1");
  if (!(plan.expert_skew >= 1)) fail("expert_skew (busiest EP rank's load over the mean) must be at least 1");
  if (model.heads % plan.tp != 0) fail("tp must divide the " + std::to_string(model.heads) + " attention heads");
  if (plan.pp > model.layers) fail("pp cannot exceed the " + std::to_string(model.layers) + " layers");
  if (plan.ep > 1) {
    if (!model.is_moe()) fail("ep > 1 needs a mixture-of-experts model");
    if (model.experts % plan.ep != 0) fail("ep must divide the " + std::to_string(model.experts) + " experts");
    if (plan.dp % plan.ep != 0) fail("ep ranks come from dp, so ep must divide dp");
  }
}

int layers_per_stage(const TransformerSpec& model, const ParallelPlan& plan) {
  return (model.layers + plan.pp - 1) / plan.pp;
}

int kv_heads_per_gpu(const TransformerSpec& model, int tp) {
  return (model.kv_heads + tp - 1) / tp;
}

}  // namespace cs
