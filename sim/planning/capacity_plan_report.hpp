#pragma once
// What `plan` prints: the ranked table of the cheapest configurations meeting every SLO (one
// row per candidate at its least capacity), the cost/quality Pareto frontier over every
// configuration simulated, the best rejected configurations with the objectives they missed,
// and the candidates pruned before simulation with why; or all of it as one JSON object.
#include <string>

#include "sim/planning/capacity_plan.hpp"

namespace cs {

std::string capacity_plan_text(const CapacityPlanSpec& spec, const CapacityPlanResult& result);
std::string capacity_plan_json(const CapacityPlanSpec& spec, const CapacityPlanResult& result);

}  // namespace cs
