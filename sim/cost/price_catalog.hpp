#pragma once
// What GPUs cost to rent or own: providers' list prices per GPU-hour by purchase option, their
// billing granularity and egress, and owned servers with the facility that houses them. Plain
// data read from configs/prices/*.yaml (sim/scenario/price_catalog_loader); a pool's or a
// cluster's `provider:`/`owned:` keys resolve against it into a BillingSpec.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/cost/billing_spec.hpp"
#include "sim/engine/time.hpp"

namespace cs {

enum class PurchaseOption { kOnDemand, kReserved1y, kReserved3y, kSpot };
const char* purchase_option_name(PurchaseOption o);
std::optional<PurchaseOption> parse_purchase_option(const std::string& text);

// One provider's offer of one GPU type (prices per GPU-hour: instance price / GPUs in it).
struct GpuOffer {
  std::string gpu;       // the GPU catalog's name
  std::string instance;  // the provider's instance type ("p4d.24xlarge")
  int gpus_per_instance = 1;
  std::map<PurchaseOption, double> usd_per_gpu_hour;  // only the options the provider lists
  // Spot reclaims per instance-hour (the instance is taken back with a short notice).
  double spot_interruptions_per_instance_hour = 0;
  std::string date;    // when the figure was published or read
  std::string source;  // public URL
};

struct Provider {
  std::string name, display_name;
  Time billing_increment = Time::s(1);  // time is billed in whole increments...
  Time billing_minimum;                 // ...and at least this much per instance
  double egress_usd_per_byte = 0;
  double pue = 1;  // the provider's facility overhead (energy reported, not billed: it is in the rent)
  std::string source;
  std::vector<GpuOffer> offers;
  const GpuOffer* offer_for(const std::string& gpu) const;
};

// A server bought and run in a leased facility.
struct OwnedServer {
  std::string name;
  std::string gpu;
  int gpus_per_server = 8;
  double purchase_usd = 0;    // the server with its GPUs
  double life_years = 3;      // straight-line depreciation
  double host_power_w = 0;    // everything but the GPUs: CPUs, memory, fans, NICs, switches inside
  int network_ports = 0;      // fabric ports the server takes (switch side)
  double usd_per_port = 0;    // switch + optics + cable per port, depreciated with the server
  double power_w_per_port = 0;
  double pue = 1;             // facility power / IT power
  double usd_per_kwh = 0;     // metered electricity at the facility
  double hosting_usd_per_kw_month = 0;  // colocation space and cooling per kW of IT power provisioned
  double egress_usd_per_byte = 0;
  std::string date, source;
};

// The power of the server a GPU type ships in, beyond its GPU boards: used for rented GPUs,
// whose providers do not publish it (owned servers carry their own).
struct ServerPower {
  std::string gpu;
  int gpus_per_server = 8;
  double host_power_w = 0;
  double network_power_w = 0;  // the fabric ports it takes (NICs and its share of switches)
  std::string source;
};

struct PriceCatalog {
  std::vector<Provider> providers;
  std::vector<ServerPower> server_power;
  std::vector<OwnedServer> owned;
  const Provider* provider(const std::string& name) const;
  const OwnedServer* server(const std::string& name) const;
  const ServerPower* power_of(const std::string& gpu) const;
};

// The ownership rate of one GPU of `s` (per hour, excluding metered electricity): purchase and
// network gear over the life, plus hosting for the server's IT power at full load.
// `gpu_tdp_w`: the GPU's TDP, which sizes the provisioned power.
double owned_usd_per_gpu_hour(const OwnedServer& s, double gpu_tdp_w);

// The billing of `gpus_per_replica`-GPU replicas of `gpu` rented from `provider` under
// `option` (throws std::invalid_argument naming what is not listed). `reserved_gpus`: the
// committed capacity billed whether used or not (reserved options; others 0).
// `power`: the server's host and network power (null: GPUs only).
BillingSpec rented_billing(const Provider& provider, const std::string& gpu, PurchaseOption option,
                           int gpus_per_replica, std::int64_t reserved_gpus, const ServerPower* power);
// Owning `owned_gpus` GPUs in servers `s` (billed for the whole run, used or not).
BillingSpec owned_billing(const OwnedServer& s, double gpu_tdp_w, std::int64_t owned_gpus);

}  // namespace cs
