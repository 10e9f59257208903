#pragma once
// YAML -> NetworkSpec: the `topology:` section (a node template and a fabric, or explicit
// vertices and links, plus link efficiencies) and the `collectives:` section (tuning and the
// collective jobs to run). Keys and units: docs/SCENARIOS.md, "topology" and "collectives".
#include "sim/network/network_spec.hpp"
#include "sim/scenario/config_reader.hpp"

namespace cs {

TopologySpec read_topology(MapReader r);
// Reads `collectives:` into `spec` (tuning and jobs), checking groups against the topology.
void read_collectives(MapReader r, NetworkSpec& spec);

}  // namespace cs
