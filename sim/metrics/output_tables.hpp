#pragma once
// Every listener's output key table in one list (docs/OUTPUT.md "Key tables" lists the same,
// and tests/metrics checks the two agree), and the table of the keys the run itself writes.
#include <vector>

#include "sim/io/output_keys.hpp"

namespace cs {

// The keys run_scenario writes beside its listeners': events, simulated time, the autoscaler's
// counts, the comparison with a baseline run.
const OutputKeyTable& run_output_keys();

// All tables, in the order docs/OUTPUT.md lists them.
std::vector<const OutputKeyTable*> output_key_tables();

}  // namespace cs
