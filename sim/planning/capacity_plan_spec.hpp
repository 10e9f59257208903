#pragma once
// What a plan file says (plain data; read_capacity_plan_spec fills it): the base scenario
// (its workload and demand profile are the workload planned for), the SLOs, the candidates
// (a sweep grid: every combination of `grid` values and `variants` is one candidate: GPU type,
// engine, TP/PP, provider and price, fabric, ...), the capacity knob searched for each (one
// integer, e.g. the replica count, set on one or more --set paths; more of it must never make
// latency worse), and the seeds every configuration is judged over (the worst one counts).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/planning/sweep_spec.hpp"

namespace cs {

// One objective on a /summary value: value <= bound (at_most) or >= bound.
struct SloBound {
  std::string name;         // as the plan file wrote it: "ttft_p99", "attainment", "max.wait_p99_s"
  std::string summary_key;  // "ttft_p99_s"
  double bound = 0;
  bool at_most = true;
  std::string unit;  // "s", "%" or "" for how to print it
};

struct CapacityKnob {
  std::vector<std::string> paths;  // every one is set to the searched value
  int min = 1;
  int max = 1;
  // The knob counts serving replicas: values below the analytical throughput bound (peak
  // demand / one replica's best throughput) are not simulated.
  bool throughput_bound = true;
};

struct CapacityPlanSpec {
  std::filesystem::path scenario;
  std::vector<Setting> fixed;
  SweepGrid candidates;  // seeds live here too
  CapacityKnob knob;
  std::vector<SloBound> slo;
  std::string cost_key = "cost_usd";
  int probes = 3;  // knob values tried per candidate per round
  int top = 5;     // rows of the ranked and rejected tables
  Time worst_window = Time::s(300);
  std::filesystem::path output;
};

CapacityPlanSpec read_capacity_plan_spec(const std::filesystem::path& file);

}  // namespace cs
