#include "sim/scenario/price_catalog_loader.hpp"

#include <algorithm>
#include <cmath>

#include "sim/scenario/catalog_entries_reader.hpp"

namespace cs {

namespace {

// A later file's entry replaces an earlier one of the same key.
template <typename Entry, typename Key>
void put(std::vector<Entry>& entries, Entry e, Key key) {
  for (auto& old : entries)
    if (old.*key == e.*key) {
      old = std::move(e);
      return;
    }
  entries.push_back(std::move(e));
}

double positive_price(MapReader& r, std::string_view key, Dimension d) {
  const double v = r.quantity(key, d);
  if (!(v >= 0 && std::isfinite(v))) r.fail(key, "a price must be zero or positive");
  return v;
}

// Every price carries the day it was read and its public source; `notes` are for people.
template <typename Entry>
Entry finish_dated(MapReader& r, Entry e) {
  e.date = r.string("date");
  e.source = r.string("source");
  r.optional("notes");
  r.finish();
  return e;
}

GpuOffer read_offer(MapReader r, const std::string& gpu) {
  GpuOffer o;
  o.gpu = gpu;
  o.instance = r.string("instance");
  o.gpus_per_instance = read_size(r, "gpus_per_instance", 1, 1024);
  for (PurchaseOption opt :
       {PurchaseOption::kOnDemand, PurchaseOption::kReserved1y, PurchaseOption::kReserved3y, PurchaseOption::kSpot})
    if (r.has(purchase_option_name(opt)))
      o.usd_per_gpu_hour[opt] = positive_price(r, purchase_option_name(opt), Dimension::kUsdPerHour);
  if (o.usd_per_gpu_hour.empty())
    r.fail("on_demand", "an offer needs at least one price (on_demand, reserved_1y, ...)");
  if (o.usd_per_gpu_hour.count(PurchaseOption::kSpot)) {
    o.spot_interruptions_per_instance_hour = r.quantity("spot_interruption_rate", Dimension::kRate) * 3600;
    r.check_range("spot_interruption_rate", o.spot_interruptions_per_instance_hour, 0, 3600);
  }
  return finish_dated(r, std::move(o));
}

Provider read_provider(MapReader r, const std::string& name) {
  Provider p;
  p.name = name;
  p.display_name = r.string_or("display_name", name);
  {
    MapReader b = r.map("billing");
    p.billing_increment = b.duration("increment");
    p.billing_minimum = b.duration_or("minimum", Time{});
    if (p.billing_increment <= Time{}) b.fail("increment", "the billing increment must be positive");
    if (p.billing_minimum < Time{}) b.fail("minimum", "the minimum must not be negative");
    b.optional("source");
    b.finish();
  }
  p.egress_usd_per_byte = positive_price(r, "egress", Dimension::kUsdPerGb) / 1e9;
  p.pue = r.number_or("pue", 1.0);
  r.check_range("pue", p.pue, 1, 5);
  p.source = r.string("source");
  r.optional("notes");
  MapReader gpus = r.map("gpus");
  for (const auto& [gpu, node] : gpus.node().entries) p.offers.push_back(read_offer(gpus.map(gpu), gpu));
  gpus.finish();
  r.finish();
  return p;
}

OwnedServer read_owned(MapReader r, const std::string& name) {
  OwnedServer s;
  s.name = name;
  s.gpu = r.string("gpu");
  s.gpus_per_server = read_size(r, "gpus_per_server", 1, 1024);
  s.purchase_usd = positive_price(r, "purchase", Dimension::kUsd);
  s.life_years = r.number("life_years");
  r.check_range("life_years", s.life_years, 0.1, 30);
  s.host_power_w = r.quantity_or("host_power", Dimension::kPower, 0);
  r.check_range("host_power", s.host_power_w, 0, 1e6);
  s.network_ports = read_size_or(r, "network_ports", 0, 0, 1024);
  s.usd_per_port = r.has("usd_per_port") ? positive_price(r, "usd_per_port", Dimension::kUsd) : 0;
  s.power_w_per_port = r.quantity_or("power_per_port", Dimension::kPower, 0);
  r.check_range("power_per_port", s.power_w_per_port, 0, 1e5);
  s.pue = r.number("pue");
  r.check_range("pue", s.pue, 1, 5);
  s.usd_per_kwh = positive_price(r, "electricity", Dimension::kUsdPerKwh);
  s.hosting_usd_per_kw_month = r.number_or("hosting_usd_per_kw_month", 0);
  r.check_range("hosting_usd_per_kw_month", s.hosting_usd_per_kw_month, 0, 1e6);
  s.egress_usd_per_byte = r.has("egress") ? positive_price(r, "egress", Dimension::kUsdPerGb) / 1e9 : 0;
  return finish_dated(r, std::move(s));
}

ServerPower read_server_power(MapReader r, const std::string& gpu) {
  ServerPower s;
  s.gpu = gpu;
  s.gpus_per_server = read_size(r, "gpus_per_server", 1, 1024);
  s.host_power_w = r.quantity("host_power", Dimension::kPower);
  r.check_range("host_power", s.host_power_w, 0, 1e6);
  s.network_power_w = r.quantity_or("network_power", Dimension::kPower, 0);
  r.check_range("network_power", s.network_power_w, 0, 1e6);
  s.source = r.string("source");
  r.optional("notes");
  r.finish();
  return s;
}

}  // namespace

void read_price_catalog(MapReader& r, PriceCatalog& catalog) {
  for_each_named_entry(r, "providers", [&](MapReader entry, const std::string& name) {
    put(catalog.providers, read_provider(entry, name), &Provider::name);
  });
  for_each_named_entry(r, "owned", [&](MapReader entry, const std::string& name) {
    put(catalog.owned, read_owned(entry, name), &OwnedServer::name);
  });
  for_each_named_entry(r, "server_power", [&](MapReader entry, const std::string& gpu) {
    put(catalog.server_power, read_server_power(entry, gpu), &ServerPower::gpu);
  });
}

PriceCatalog load_price_catalog(const std::filesystem::path& dir) {
  PriceCatalog catalog;
  if (!std::filesystem::is_directory(dir)) return catalog;
  read_catalog_files(dir, [&](MapReader& r) { read_price_catalog(r, catalog); });
  return catalog;
}

std::filesystem::path price_catalog_dir(const std::filesystem::path& config_dir) {
  return config_dir / "prices";
}

}  // namespace cs
