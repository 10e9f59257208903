#pragma once
// The checks a serving spec must pass as a whole, once every key is read (each key's own type
// and range is checked as it is read). The loader calls them once per spec and refuses the
// first problem, so `clustersim validate` refuses what building the replicas would.
#include "sim/engine/spec_problem.hpp"
#include "sim/serving/replica_spec.hpp"
#include "sim/serving/serving_pool_spec.hpp"

namespace cs {

// A replica's limits (an engine profile's `replica:` defaults, or a pool's); keys relative to
// that `replica:` map.
SpecProblems validate(const ReplicaSpec& replica);

// A pool after its memory model sized the replicas; keys relative to the pool's section
// (`serving:` or one item of its list). Includes its replica's, under "replica.".
SpecProblems validate(const ServingPoolSpec& pool);

}  // namespace cs
