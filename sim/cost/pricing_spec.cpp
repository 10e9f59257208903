#include "sim/cost/pricing_spec.hpp"

namespace cs {

SpecProblems validate(const PricingSpec& p) {
  SpecProblems out;
  const bool priced = p.usd_per_gpu_hour.has_value();
  const bool rented = !p.provider.empty();
  const bool owned = !p.owned.empty();
  if (priced + rented + owned > 1) out.push_back({owned ? "owned" : "provider", "give one of price, provider or owned"});
  const PurchaseOption option = p.option.value_or(PurchaseOption::kOnDemand);
  // Only a reserved term commits capacity; only a spot instance is reclaimed.
  if (p.reserved_gpus && option != PurchaseOption::kReserved1y && option != PurchaseOption::kReserved3y)
    out.push_back({"reserved_gpus", "reserved_gpus goes with option: reserved_1y or reserved_3y"});
  if (p.spot_interruptions_per_instance_s && option != PurchaseOption::kSpot)
    out.push_back({"spot_interruption_rate", "goes with option: spot"});
  return out;
}

}  // namespace cs
