#include "sim/scenario/billing_reader.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "sim/scenario/spec_refusal.hpp"

namespace cs {

namespace {

std::string names_of(const std::vector<std::string>& names) {
  return names.empty() ? "none" : join_names(names);
}

// A count of GPUs the price keys commit to (`reserved_gpus:`, `owned_gpus:`), when given.
std::optional<std::int64_t> gpus_if_given(MapReader& r, std::string_view key) {
  if (!r.has(key)) return std::nullopt;
  const std::int64_t gpus = r.integer(key);
  r.check_range(key, static_cast<double>(gpus), 0, 1e9);
  return gpus;
}

// The keys as written; each key's own type and range is checked here, the rules across keys
// by validate(PricingSpec).
PricingSpec read_pricing(MapReader& r) {
  PricingSpec p;
  if (r.has("price")) {
    p.usd_per_gpu_hour = r.quantity("price", Dimension::kUsdPerHour);
    r.check_range("price", *p.usd_per_gpu_hour, 0, HUGE_VAL);
  }
  if (r.has("provider")) {
    p.provider = r.string("provider");
    if (r.has("option"))
      p.option = r.choice<PurchaseOption>("option", {{"on_demand", PurchaseOption::kOnDemand},
                                                     {"reserved_1y", PurchaseOption::kReserved1y},
                                                     {"reserved_3y", PurchaseOption::kReserved3y},
                                                     {"spot", PurchaseOption::kSpot}});
    p.reserved_gpus = gpus_if_given(r, "reserved_gpus");
    if (r.has("spot_interruption_rate")) {
      p.spot_interruptions_per_instance_s = r.quantity("spot_interruption_rate", Dimension::kRate);
      r.check_range("spot_interruption_rate", *p.spot_interruptions_per_instance_s, 0, 1);
    }
  }
  if (r.has("owned")) {
    p.owned = r.string("owned");
    p.owned_gpus = gpus_if_given(r, "owned_gpus");
  }
  if (r.has("egress_per_request")) {
    p.egress_bytes_per_request = r.quantity("egress_per_request", Dimension::kBytes);
    r.check_range("egress_per_request", *p.egress_bytes_per_request, 0, 1e15);
  }
  return p;
}

// Looks the provider or owned server up in the catalog (a name it lacks is refused at its key).
BillingSpec resolve_billing(MapReader& r, const PricingSpec& p, const GpuSpec& gpu,
                            const BillingDefaults& defaults, const PriceCatalog* prices) {
  if (!p.provider.empty() || !p.owned.empty()) {
    if (!prices) r.fail(!p.owned.empty() ? "owned" : "provider", "no price catalog is loaded");
  }
  BillingSpec b;
  if (!p.provider.empty()) {
    const Provider* provider = prices->provider(p.provider);
    if (!provider) {
      std::vector<std::string> known;
      for (const auto& q : prices->providers) known.push_back(q.name);
      std::string message = "unknown provider '" + p.provider + "'; the price catalog lists " + names_of(known);
      const std::string hint = nearest_name(p.provider, known);
      if (!hint.empty()) message += " (did you mean '" + hint + "'?)";
      r.fail("provider", message);
    }
    const PurchaseOption option = p.option.value_or(PurchaseOption::kOnDemand);
    const bool reserved = option == PurchaseOption::kReserved1y || option == PurchaseOption::kReserved3y;
    try {
      b = rented_billing(*provider, gpu.name, option, defaults.gpus_per_replica,
                         reserved ? p.reserved_gpus.value_or(defaults.reserved_gpus) : 0,
                         prices->power_of(gpu.name));
    } catch (const std::invalid_argument& e) {
      r.fail(p.option ? "option" : "provider", e.what());
    }
    if (p.spot_interruptions_per_instance_s) {
      const GpuOffer& offer = *provider->offer_for(gpu.name);
      const int instances = std::max(1, (defaults.gpus_per_replica + offer.gpus_per_instance - 1) /
                                            offer.gpus_per_instance);
      b.spot_interruptions_per_s = *p.spot_interruptions_per_instance_s * instances;
    }
  } else if (!p.owned.empty()) {
    const OwnedServer* s = prices->server(p.owned);
    if (!s) {
      std::vector<std::string> known;
      for (const auto& q : prices->owned) known.push_back(q.name);
      r.fail("owned", "unknown owned server '" + p.owned + "'; the price catalog lists " + names_of(known));
    }
    if (s->gpu != gpu.name)
      r.fail("owned", "owned server '" + p.owned + "' holds " + s->gpu + " GPUs, not " + gpu.name);
    b = owned_billing(*s, gpu.tdp_w, p.owned_gpus.value_or(defaults.owned_gpus));
  } else {
    b.label = "price";
    b.usd_per_gpu_hour = p.usd_per_gpu_hour.value_or(0.0);
    // Power beyond the boards is known only from the catalog's server of this GPU.
    if (prices)
      if (const ServerPower* power = prices->power_of(gpu.name)) {
        b.host_power_w_per_gpu = power->host_power_w / power->gpus_per_server;
        b.network_power_w_per_gpu = power->network_power_w / power->gpus_per_server;
      }
  }
  if (p.egress_bytes_per_request) b.egress_bytes_per_request = *p.egress_bytes_per_request;
  return b;
}

}  // namespace

BillingSpec read_billing(MapReader& r, const GpuSpec& gpu, const BillingDefaults& defaults,
                         const PriceCatalog* prices) {
  const PricingSpec p = read_pricing(r);
  refuse(r, validate(p));
  return resolve_billing(r, p, gpu, defaults, prices);
}

}  // namespace cs
