// `queueing:` -> a generic queue of servers (sim/queueing/server_pool.hpp), stored in the
// scenario's sections as a ServerPoolSpec under "queueing" (docs/SCENARIOS.md, `queueing:`).
#include <cmath>

#include "sim/queueing/server_pool.hpp"
#include "sim/scenario/distribution_reader.hpp"
#include "sim/scenario/section_input.hpp"
#include "sim/scenario/spec_refusal.hpp"

namespace cs {

void read_queueing_section(SectionInput& in, Scenario& s) {
  if (!in.root.has("queueing")) return;
  MapReader r = in.root.map("queueing");
  ServerPoolSpec p;
  p.name = r.string_or("name", "pool");
  p.arrivals = read_arrivals(r.map("arrivals"));
  p.service_time_s = read_distribution(r.map("service_time"), Dimension::kDuration);
  p.servers = static_cast<int>(r.integer("servers"));
  r.check_range("servers", p.servers, 1, 10'000'000);
  p.usd_per_server_hour = r.quantity_or("price", Dimension::kUsdPerHour, 0.0);
  r.check_range("price", p.usd_per_server_hour, 0, HUGE_VAL);
  r.finish();
  refuse(r, validate(p));
  s.sections.emplace("queueing", std::move(p));
}

}  // namespace cs
