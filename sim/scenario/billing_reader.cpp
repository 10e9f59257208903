#include "sim/scenario/billing_reader.hpp"

#include <cmath>
#include <stdexcept>

namespace cs {

namespace {

std::string names_of(const std::vector<std::string>& names) {
  return names.empty() ? "none" : join_names(names);
}

}  // namespace

BillingSpec read_billing(MapReader& r, const GpuSpec& gpu, const BillingDefaults& defaults,
                         const PriceCatalog* prices) {
  const int forms = r.has("price") + r.has("provider") + r.has("owned");
  if (forms > 1) r.fail(r.has("owned") ? "owned" : "provider", "give one of price, provider or owned");
  BillingSpec b;
  if (r.has("provider") || r.has("owned")) {
    if (!prices) r.fail(r.has("owned") ? "owned" : "provider", "no price catalog is loaded");
  }
  if (r.has("provider")) {
    const std::string name = r.string("provider");
    const Provider* p = prices->provider(name);
    if (!p) {
      std::vector<std::string> known;
      for (const auto& q : prices->providers) known.push_back(q.name);
      std::string message = "unknown provider '" + name + "'; the price catalog lists " + names_of(known);
      const std::string hint = nearest_name(name, known);
      if (!hint.empty()) message += " (did you mean '" + hint + "'?)";
      r.fail("provider", message);
    }
    const PurchaseOption option = r.choice_or<PurchaseOption>("option",
                                                              {{"on_demand", PurchaseOption::kOnDemand},
                                                               {"reserved_1y", PurchaseOption::kReserved1y},
                                                               {"reserved_3y", PurchaseOption::kReserved3y},
                                                               {"spot", PurchaseOption::kSpot}},
                                                              PurchaseOption::kOnDemand);
    const bool reserved = option == PurchaseOption::kReserved1y || option == PurchaseOption::kReserved3y;
    std::int64_t committed = defaults.reserved_gpus;
    if (r.has("reserved_gpus")) {
      if (!reserved) r.fail("reserved_gpus", "reserved_gpus goes with option: reserved_1y or reserved_3y");
      committed = r.integer("reserved_gpus");
      r.check_range("reserved_gpus", static_cast<double>(committed), 0, 1e9);
    }
    try {
      b = rented_billing(*p, gpu.name, option, defaults.gpus_per_replica, reserved ? committed : 0,
                         prices->power_of(gpu.name));
    } catch (const std::invalid_argument& e) {
      r.fail(r.has("option") ? "option" : "provider", e.what());
    }
    if (r.has("spot_interruption_rate")) {
      if (option != PurchaseOption::kSpot) r.fail("spot_interruption_rate", "goes with option: spot");
      const double per_instance_s = r.quantity("spot_interruption_rate", Dimension::kRate);
      r.check_range("spot_interruption_rate", per_instance_s, 0, 1);
      const GpuOffer& offer = *p->offer_for(gpu.name);
      const int instances = std::max(1, (defaults.gpus_per_replica + offer.gpus_per_instance - 1) /
                                            offer.gpus_per_instance);
      b.spot_interruptions_per_s = per_instance_s * instances;
    }
  } else if (r.has("owned")) {
    const std::string name = r.string("owned");
    const OwnedServer* s = prices->server(name);
    if (!s) {
      std::vector<std::string> known;
      for (const auto& q : prices->owned) known.push_back(q.name);
      r.fail("owned", "unknown owned server '" + name + "'; the price catalog lists " + names_of(known));
    }
    if (s->gpu != gpu.name)
      r.fail("owned", "owned server '" + name + "' holds " + s->gpu + " GPUs, not " + gpu.name);
    std::int64_t owned_gpus = r.integer_or("owned_gpus", defaults.owned_gpus);
    r.check_range("owned_gpus", static_cast<double>(owned_gpus), 0, 1e9);
    b = owned_billing(*s, gpu.tdp_w, owned_gpus);
  } else {
    b.label = "price";
    b.usd_per_gpu_hour = r.quantity_or("price", Dimension::kUsdPerHour, 0.0);
    r.check_range("price", b.usd_per_gpu_hour, 0, HUGE_VAL);
    // Power beyond the boards is known only from the catalog's server of this GPU.
    if (prices)
      if (const ServerPower* power = prices->power_of(gpu.name)) {
        b.host_power_w_per_gpu = power->host_power_w / power->gpus_per_server;
        b.network_power_w_per_gpu = power->network_power_w / power->gpus_per_server;
      }
  }
  if (r.has("egress_per_request")) {
    b.egress_bytes_per_request = r.quantity("egress_per_request", Dimension::kBytes);
    r.check_range("egress_per_request", b.egress_bytes_per_request, 0, 1e15);
  }
  return b;
}

}  // namespace cs
