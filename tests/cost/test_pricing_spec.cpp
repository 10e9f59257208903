// PricingSpec's validate(): each rule across the price keys, alone, gives exactly its problem.
#include <catch2/catch.hpp>

#include "sim/cost/pricing_spec.hpp"

using namespace cs;

namespace {

PricingSpec rented(PurchaseOption option) {
  PricingSpec p;
  p.provider = "aws";
  p.option = option;
  return p;
}

void check_one(const PricingSpec& p, const std::string& key, const std::string& message) {
  const SpecProblems problems = validate(p);
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].key == key);
  CHECK(problems[0].message == message);
}

}  // namespace

TEST_CASE("a pricing spec in each of its three forms, with the keys its option allows, has no problem") {
  PricingSpec priced;
  priced.usd_per_gpu_hour = 2.0 / 3600;
  priced.egress_bytes_per_request = 1e3;
  CHECK(validate(priced).empty());
  CHECK(validate(PricingSpec{}).empty());  // no price at all: free GPUs
  PricingSpec reserved = rented(PurchaseOption::kReserved3y);
  reserved.reserved_gpus = 16;
  CHECK(validate(reserved).empty());
  PricingSpec spot = rented(PurchaseOption::kSpot);
  spot.spot_interruptions_per_instance_s = 0.5 / 3600;
  CHECK(validate(spot).empty());
  PricingSpec owned;
  owned.owned = "dgx-a100";
  owned.owned_gpus = 64;
  CHECK(validate(owned).empty());
}

TEST_CASE("a pricing spec giving two of price, provider and owned is refused at the later form") {
  PricingSpec p = rented(PurchaseOption::kOnDemand);
  p.usd_per_gpu_hour = 1.0 / 3600;
  check_one(p, "provider", "give one of price, provider or owned");
  PricingSpec q;
  q.usd_per_gpu_hour = 1.0 / 3600;
  q.owned = "dgx-a100";
  check_one(q, "owned", "give one of price, provider or owned");
}

TEST_CASE("reserved_gpus without a reserved option is refused at reserved_gpus") {
  for (const PurchaseOption o : {PurchaseOption::kOnDemand, PurchaseOption::kSpot}) {
    PricingSpec p = rented(o);
    p.reserved_gpus = 8;
    check_one(p, "reserved_gpus", "reserved_gpus goes with option: reserved_1y or reserved_3y");
  }
  // No option is on demand.
  PricingSpec p = rented(PurchaseOption::kOnDemand);
  p.option.reset();
  p.reserved_gpus = 8;
  check_one(p, "reserved_gpus", "reserved_gpus goes with option: reserved_1y or reserved_3y");
}

TEST_CASE("a spot interruption rate without option spot is refused at spot_interruption_rate") {
  for (const PurchaseOption o : {PurchaseOption::kOnDemand, PurchaseOption::kReserved1y}) {
    PricingSpec p = rented(o);
    p.spot_interruptions_per_instance_s = 1.0 / 3600;
    check_one(p, "spot_interruption_rate", "goes with option: spot");
  }
}
