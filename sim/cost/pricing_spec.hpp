#pragma once
// The price keys of a serving `pool:` or a training `cluster:` as the scenario wrote them, before
// the price catalog resolves them into a BillingSpec (docs/SCENARIOS.md, "Prices and billing"):
// a bare `price:`, or `provider:` + `option:` from the catalog, or `owned:`.
#include <cstdint>
#include <optional>
#include <string>

#include "sim/cost/price_catalog.hpp"
#include "sim/engine/spec_problem.hpp"

namespace cs {

struct PricingSpec {
  std::optional<double> usd_per_gpu_hour;  // `price:`
  std::string provider;                    // empty: not rented from the catalog
  std::optional<PurchaseOption> option;    // absent: on demand
  std::optional<std::int64_t> reserved_gpus;
  std::optional<double> spot_interruptions_per_instance_s;  // overrides the catalog's rate
  std::string owned;                       // an owned server of the catalog; empty: not owned
  std::optional<std::int64_t> owned_gpus;
  std::optional<double> egress_bytes_per_request;
};

// The rules across keys (each key's own type and range is checked as it is read): one form,
// and the keys that only mean something with a reserved or spot option. Keys relative to the
// section the price keys sit in.
SpecProblems validate(const PricingSpec& p);

}  // namespace cs
