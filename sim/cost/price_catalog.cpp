#include "sim/cost/price_catalog.hpp"

#include <cmath>
#include <stdexcept>

#include "sim/cost/cost_formulas.hpp"

namespace cs {

namespace {
constexpr double kHoursPerMonth = 365.25 * 24 / 12;
}

const char* purchase_option_name(PurchaseOption o) {
  switch (o) {
    case PurchaseOption::kOnDemand: return "on_demand";
    case PurchaseOption::kReserved1y: return "reserved_1y";
    case PurchaseOption::kReserved3y: return "reserved_3y";
    case PurchaseOption::kSpot: return "spot";
  }
  return "?";
}

std::optional<PurchaseOption> parse_purchase_option(const std::string& text) {
  for (PurchaseOption o : {PurchaseOption::kOnDemand, PurchaseOption::kReserved1y, PurchaseOption::kReserved3y,
                           PurchaseOption::kSpot})
    if (text == purchase_option_name(o)) return o;
  return std::nullopt;
}

const GpuOffer* Provider::offer_for(const std::string& gpu) const {
  for (const auto& o : offers)
    if (o.gpu == gpu) return &o;
  return nullptr;
}

const Provider* PriceCatalog::provider(const std::string& name) const {
  for (const auto& p : providers)
    if (p.name == name) return &p;
  return nullptr;
}

const OwnedServer* PriceCatalog::server(const std::string& name) const {
  for (const auto& s : owned)
    if (s.name == name) return &s;
  return nullptr;
}

const ServerPower* PriceCatalog::power_of(const std::string& gpu) const {
  for (const auto& s : server_power)
    if (s.gpu == gpu) return &s;
  return nullptr;
}

double owned_usd_per_gpu_hour(const OwnedServer& s, double gpu_tdp_w) {
  const double life_hours = s.life_years * kSecondsPerYear / 3600;
  const double capital = s.purchase_usd + s.network_ports * s.usd_per_port;
  const double it_kw = (s.gpus_per_server * gpu_tdp_w + s.host_power_w + s.network_ports * s.power_w_per_port) / 1000;
  const double server_per_hour = capital / life_hours + s.hosting_usd_per_kw_month * it_kw / kHoursPerMonth;
  return server_per_hour / s.gpus_per_server;
}

BillingSpec rented_billing(const Provider& provider, const std::string& gpu, PurchaseOption option,
                           int gpus_per_replica, std::int64_t reserved_gpus, const ServerPower* power) {
  const GpuOffer* offer = provider.offer_for(gpu);
  if (!offer) {
    std::string listed;
    for (const auto& o : provider.offers) listed += (listed.empty() ? "" : ", ") + o.gpu;
    throw std::invalid_argument("provider '" + provider.name + "' lists no " + gpu + " (it lists " + listed + ")");
  }
  const auto price = offer->usd_per_gpu_hour.find(option);
  if (price == offer->usd_per_gpu_hour.end())
    throw std::invalid_argument("provider '" + provider.name + "' lists no " + purchase_option_name(option) +
                                " price for " + gpu);
  BillingSpec b;
  b.label = provider.name + " " + purchase_option_name(option);
  b.billing_increment = provider.billing_increment;
  b.billing_minimum = provider.billing_minimum;
  b.pue = provider.pue;
  b.egress_usd_per_byte = provider.egress_usd_per_byte;
  if (power) {
    b.host_power_w_per_gpu = power->host_power_w / power->gpus_per_server;
    b.network_power_w_per_gpu = power->network_power_w / power->gpus_per_server;
  }
  const bool reserved = option == PurchaseOption::kReserved1y || option == PurchaseOption::kReserved3y;
  if (reserved) {
    // The commitment at its rate; GPUs held beyond it are rented on demand where listed.
    b.committed_gpus = reserved_gpus;
    b.committed_usd_per_gpu_hour = price->second;
    const auto od = offer->usd_per_gpu_hour.find(PurchaseOption::kOnDemand);
    b.usd_per_gpu_hour = od != offer->usd_per_gpu_hour.end() ? od->second : price->second;
  } else {
    b.usd_per_gpu_hour = price->second;
  }
  if (option == PurchaseOption::kSpot) {
    // A replica is lost when any instance it spans is reclaimed.
    const int instances = std::max(1, (gpus_per_replica + offer->gpus_per_instance - 1) / offer->gpus_per_instance);
    b.spot_interruptions_per_s = offer->spot_interruptions_per_instance_hour * instances / 3600;
  }
  return b;
}

BillingSpec owned_billing(const OwnedServer& s, double gpu_tdp_w, std::int64_t owned_gpus) {
  BillingSpec b;
  b.label = "owned " + s.name;
  b.committed_gpus = owned_gpus;
  b.committed_usd_per_gpu_hour = b.usd_per_gpu_hour = owned_usd_per_gpu_hour(s, gpu_tdp_w);
  b.host_power_w_per_gpu = s.host_power_w / s.gpus_per_server;
  b.network_power_w_per_gpu = s.network_ports * s.power_w_per_port / s.gpus_per_server;
  b.pue = s.pue;
  b.unused_capacity_draws_power = true;
  b.usd_per_kwh = s.usd_per_kwh;
  b.egress_usd_per_byte = s.egress_usd_per_byte;
  return b;
}

}  // namespace cs
