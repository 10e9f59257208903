#pragma once
// YAML for the workload building blocks shared by every section that draws random values.
//   arrivals:      {process: poisson|gamma|deterministic, rate: 40/s, cv: 2}
//   service_time:  {distribution: fixed|uniform|exponential|lognormal|gamma,
//                   mean: 1.2 s, cv: 0.5, min: .., max: ..}
#include "sim/scenario/config_reader.hpp"
#include "workloads/arrival_process.hpp"
#include "workloads/distribution.hpp"

namespace cs {

// The keys' types and units only: rates and moments are the spec's validate()'s
// (workloads/workload_spec_checks.hpp), called by the reader of the section that holds them.
ArrivalSpec read_arrivals(MapReader r);
// Values are read in `unit` (kDuration gives seconds; kCount plain numbers such as tokens).
DistributionSpec read_distribution(MapReader r, Dimension unit);

}  // namespace cs
