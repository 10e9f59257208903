#pragma once
// YAML -> DisaggregationSpec (docs/SCENARIOS.md, `disaggregation:`): two pools of the
// `serving:` list as the prefill and decode phases of one deployment.
//
//   disaggregation:
//     prefill: prefill              # the name of a pool in `serving:`
//     decode: decode                # another, serving the same model
//     kv_transfer: layerwise        # or after_prefill
//     decode_routing: least_kv_load # or locality
//
// Refused (file:line:col, key path): a `serving:` that is not a list, unknown or equal pool
// names, pools of different models or KV formats, pipeline stages, a TP size that does not
// hold whole KV heads (its ranks cannot receive the other side's layout), no `topology:`.
#include <string>

#include "sim/scenario/config_reader.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/serving/kv_transfer.hpp"

namespace cs {

// `disaggregation.decode` of the scenario's root, read ahead of the pools (empty: none).
std::string decode_pool_name(MapReader& root);

// After the scenario's `serving:` list is read into `s`; `has_topology`: the scenario has a
// `topology:` (the KV cache moves over it).
DisaggregationSpec read_disaggregation(MapReader r, const Scenario& s, bool has_topology);

}  // namespace cs
