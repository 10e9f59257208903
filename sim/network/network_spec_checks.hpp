#pragma once
// The checks a scenario's network spec must pass as a whole, once `topology:` and
// `collectives:` are read (each key's type and range is checked as it is read, and an
// unbuildable topology as it is built): in-network reduction on a fabric that has it, and
// collective jobs that can run on their groups — the checks that otherwise only fail when a
// job first starts, mid-run. Keys are relative to the scenario's top level
// ("collectives.jobs[1].algorithm"); the loader calls it once.
#include "sim/engine/spec_problem.hpp"
#include "sim/network/network_spec.hpp"
#include "topology/topology_graph.hpp"

namespace cs {

SpecProblems validate(const NetworkSpec& spec);

// The GPUs a collective job runs on, in topology order: `gpus` of them from `first_gpu` (0: all
// from there).
std::vector<VertexId> collective_job_group(const Topology& topology, const CollectiveJobSpec& job);

}  // namespace cs
