#include <catch2/catch.hpp>

#include <string>

#include "sim/cost/price_catalog.hpp"
#include "sim/scenario/gpu_catalog_loader.hpp"
#include "sim/scenario/price_catalog_loader.hpp"

using namespace cs;

TEST_CASE("an owned GPU's hourly rate is its share of purchase and ports over the life plus hosting of its power") {
  OwnedServer s;
  s.gpus_per_server = 8;
  s.purchase_usd = 199000;
  s.life_years = 3;
  s.host_power_w = 3300;
  s.network_ports = 9;
  s.usd_per_port = 1500;
  s.power_w_per_port = 15;
  s.hosting_usd_per_kw_month = 150;
  // (199,000 + 9 x 1,500) / (3 x 8,766 h) + 150 x (8 x 400 + 3,300 + 9 x 15) W / 730.5 h, per GPU.
  const double capital = 212500.0 / (3 * 8766);
  const double hosting = 150 * 6.635 / 730.5;
  CHECK(owned_usd_per_gpu_hour(s, 400) == Approx((capital + hosting) / 8));
}

TEST_CASE("a spot replica spanning two instances is reclaimed at twice the instance rate") {
  Provider p;
  p.name = "x";
  GpuOffer o;
  o.gpu = "h100-sxm";
  o.gpus_per_instance = 8;
  o.usd_per_gpu_hour = {{PurchaseOption::kOnDemand, 4.0}, {PurchaseOption::kSpot, 1.5}};
  o.spot_interruptions_per_instance_hour = 0.36;
  p.offers.push_back(o);
  const BillingSpec one = rented_billing(p, "h100-sxm", PurchaseOption::kSpot, 8, 0, nullptr);
  const BillingSpec two = rented_billing(p, "h100-sxm", PurchaseOption::kSpot, 16, 0, nullptr);
  CHECK(one.usd_per_gpu_hour == 1.5);
  CHECK(one.spot_interruptions_per_s == Approx(0.36 / 3600));
  CHECK(two.spot_interruptions_per_s == Approx(2 * 0.36 / 3600));
  CHECK_THROWS_WITH(rented_billing(p, "h100-sxm", PurchaseOption::kReserved3y, 8, 8, nullptr),
                    Catch::Contains("no reserved_3y price"));
  CHECK_THROWS_WITH(rented_billing(p, "l4", PurchaseOption::kOnDemand, 1, 0, nullptr), Catch::Contains("lists no l4"));
}

TEST_CASE("the price catalog lists A100 and H100 on demand at three large clouds and two GPU clouds") {
  const PriceCatalog c = load_price_catalog(price_catalog_dir(config_dir()));
  const GpuCatalog gpus = load_gpu_catalog(gpu_catalog_file(config_dir()));
  for (const char* name : {"aws", "azure", "gcp", "lambda", "coreweave"}) {
    INFO(name);
    const Provider* p = c.provider(name);
    REQUIRE(p);
    bool a100 = false, h100 = false;
    for (const auto& o : p->offers) {
      CHECK(gpus.contains(o.gpu));  // every offer names a GPU of the GPU catalog
      CHECK(!o.source.empty());
      CHECK(!o.date.empty());
      const bool on_demand = o.usd_per_gpu_hour.count(PurchaseOption::kOnDemand) > 0;
      a100 = a100 || (o.gpu.rfind("a100", 0) == 0 && on_demand);
      h100 = h100 || (o.gpu == "h100-sxm" && on_demand);
    }
    CHECK(a100);
    CHECK(h100);
  }
  // The essay's "nearly 4x" between providers' on-demand A100s.
  const double aws = c.provider("aws")->offer_for("a100-40gb-sxm")->usd_per_gpu_hour.at(PurchaseOption::kOnDemand);
  const double lambda =
      c.provider("lambda")->offer_for("a100-40gb-sxm")->usd_per_gpu_hour.at(PurchaseOption::kOnDemand);
  CHECK(aws / lambda == Approx(3.7).margin(0.1));
  for (const auto& s : c.owned) CHECK(gpus.contains(s.gpu));
}
