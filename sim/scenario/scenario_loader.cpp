#include "sim/scenario/scenario_loader.hpp"

#include <cmath>
#include <fstream>
#include <sstream>
#include <variant>

#include "sim/scenario/config_reader.hpp"
#include "sim/scenario/distribution_reader.hpp"
#include "sim/scenario/gpu_catalog_loader.hpp"
#include "sim/scenario/model_catalog_loader.hpp"
#include "sim/scenario/serving_loader.hpp"
#include "sim/scenario/topology_loader.hpp"
#include "sim/scenario/training_loader.hpp"
#include "sim/scenario/workload_loader.hpp"

namespace cs {

namespace {

SimulationSettings read_simulation(MapReader r) {
  SimulationSettings s;
  s.horizon = r.duration("horizon");
  if (s.horizon <= Time{}) r.fail("horizon", "the horizon must be a positive duration");
  s.sample_interval = r.duration_or("sample_interval", s.sample_interval);
  if (s.sample_interval <= Time{}) r.fail("sample_interval", "the sample interval must be a positive duration");
  if (s.horizon / s.sample_interval > 50'000'000)
    r.fail("sample_interval", "more than 50 million samples over the horizon; choose a longer interval");
  r.finish();
  return s;
}

ServerPoolSpec read_queueing(MapReader r) {
  ServerPoolSpec p;
  p.name = r.string_or("name", "pool");
  p.arrivals = read_arrivals(r.map("arrivals"));
  p.service_time_s = read_distribution(r.map("service_time"), Dimension::kDuration);
  p.servers = static_cast<int>(r.integer("servers"));
  r.check_range("servers", p.servers, 1, 10'000'000);
  p.usd_per_server_hour = r.quantity_or("price", Dimension::kUsdPerHour, 0.0);
  r.check_range("price", p.usd_per_server_hour, 0, HUGE_VAL);
  r.finish();
  return p;
}

}  // namespace

Scenario load_scenario(const std::filesystem::path& file, const LoadOptions& options) {
  ConfigNode root = load_config_file(file);
  for (const auto& o : options.overrides) apply_override(root, o);

  Scenario s;
  s.source_file = file.string();
  {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    s.source_text = text.str();
  }
  s.resolved_yaml = to_yaml(root);

  MapReader r(root, "");
  s.name = r.string_or("name", file.stem().string());
  s.description = r.string_or("description", "");
  const std::int64_t seed = r.integer_or("seed", 1);
  r.check_range("seed", static_cast<double>(seed), 0, HUGE_VAL);
  s.seed = options.seed.value_or(static_cast<std::uint64_t>(seed));
  s.simulation = read_simulation(r.map("simulation"));
  {
    MapReader out = r.map("output", true);
    s.output.requests_table = out.boolean_or("requests_table", true);
    out.finish();
  }
  if (r.has("queueing")) s.queueing = read_queueing(r.map("queueing"));
  const bool has_training = r.has("cluster") || r.has("training") || r.has("jobs");
  // The default catalogs, then whatever the scenario adds or `extends:` (same names replace).
  GpuCatalog gpus;
  ModelCatalog models;
  if (r.has("serving") || has_training) {
    const std::filesystem::path dir = config_dir();
    gpus = load_gpu_catalog(gpu_catalog_file(dir));
    models = load_model_catalog(model_catalog_dir(dir));
    read_gpu_catalog(r, gpus);
    read_model_catalog(r, models);
  }
  if (r.has("serving")) {
    if (s.queueing) r.fail("serving", "a scenario has one request workload model: `queueing:` or `serving:`, not both");
    s.serving = read_serving(r.map("serving"), gpus, models);
    if (!r.has("workload")) r.fail("serving", "`serving:` needs a `workload:` section with its requests");
    s.workload = read_inference_workload(r.map("workload"));
  } else if (r.has("workload")) {
    r.fail("workload", "`workload:` feeds a `serving:` section, which this scenario does not have");
  }
  if (r.has("topology")) {
    s.network.emplace();
    s.network->topology = read_topology(r.map("topology"));
    read_collectives(r.map("collectives", true), *s.network);
  } else if (r.has("collectives")) {
    r.fail("collectives", "collectives need a `topology:` section to run on");
  }
  if (has_training) {
    std::optional<int> topology_nodes;
    int topology_gpus_per_node = 0;
    if (s.network) {
      const auto* layout = std::get_if<ClusterSpec>(&s.network->topology.layout);
      if (!layout)
        r.fail("topology", "a training cluster needs a node template and a fabric, not an explicit topology");
      topology_nodes = layout->nodes;
      topology_gpus_per_node = layout->node.gpus;
    }
    s.training = read_training_cluster(r, gpus, models, topology_nodes, topology_gpus_per_node);
    if (s.queueing) r.fail("cluster", "a training cluster runs beside `serving:`, not beside `queueing:`");
  }
  r.finish();
  if (!s.queueing && !s.serving && !s.training && !(s.network && !s.network->jobs.empty()))
    throw_config_error(root.where, "",
                       "the scenario has no workload model: add a `queueing:`, `serving:` or `training:` section, "
                       "`jobs:` on a `cluster:`, or `collectives:` jobs on a `topology:`");
  return s;
}

}  // namespace cs
