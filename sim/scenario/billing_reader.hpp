#pragma once
// The price keys a serving `pool:` block or a training `cluster:` block shares: a bare
// `price:`, or `provider:` + `option:` from the price catalog, or `owned:` (docs/SCENARIOS.md,
// "Prices and billing"). Read as written into a PricingSpec, checked by its validate(), then
// resolved against the catalog and the GPU it prices into a BillingSpec.
#include <cstdint>

#include "sim/cost/billing_spec.hpp"
#include "sim/cost/price_catalog.hpp"
#include "sim/cost/pricing_spec.hpp"
#include "sim/hardware/gpu_spec.hpp"
#include "sim/scenario/config_reader.hpp"

namespace cs {

struct BillingDefaults {
  int gpus_per_replica = 1;            // a spot replica is lost with any instance it spans
  std::int64_t reserved_gpus = 0;      // committed capacity when `reserved_gpus:` is not given
  std::int64_t owned_gpus = 0;         // owned capacity when `owned_gpus:` is not given
};

// Reads the keys from `r` (which the caller finishes) and refuses the first problem the spec's
// validate() finds at its key. `prices`: the catalog (null: only a bare `price:` is accepted).
BillingSpec read_billing(MapReader& r, const GpuSpec& gpu, const BillingDefaults& defaults,
                         const PriceCatalog* prices);

}  // namespace cs
