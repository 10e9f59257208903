#include "sim/scenario/scenario_loader.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <variant>

#include "sim/scenario/config_reader.hpp"
#include "sim/scenario/distribution_reader.hpp"
#include "sim/scenario/gpu_catalog_loader.hpp"
#include "sim/scenario/model_catalog_loader.hpp"
#include "sim/scenario/price_catalog_loader.hpp"
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

std::string& stamped_model(InferenceWorkloadSpec& w) {
  return w.trace ? w.trace->read.model : w.synthetic->model;
}

// Whether requests of this stream may name their own model (a trace column or field).
bool carries_models(const InferenceWorkloadSpec& w) {
  return w.trace && (w.trace->format == TraceFormat::kJsonl ||
                     (w.trace->format == TraceFormat::kCsv && w.trace->columns.model.has_value()));
}

// A stream's `model:` becomes the catalog name the pools use, and must be served by a pool;
// a stream without one needs a single served model (or requests that name theirs).
void resolve_stream_models(MapReader& r, Scenario& s, const ModelCatalog& models) {
  std::vector<std::string> served;
  for (const ServingPoolSpec* p : s.all_serving_pools())
    if (std::find(served.begin(), served.end(), p->model.name) == served.end()) served.push_back(p->model.name);
  std::string served_list;
  for (const auto& m : served) served_list += (served_list.empty() ? "" : ", ") + m;
  std::vector<InferenceWorkloadSpec*> streams;
  if (s.workload) streams.push_back(&*s.workload);
  for (auto& w : s.workload_streams) streams.push_back(&w);
  const ConfigNode& section = r.required("workload");
  for (std::size_t i = 0; i < streams.size(); ++i) {
    InferenceWorkloadSpec* w = streams[i];
    const bool listed = section.is_sequence();
    MapReader wr(listed ? section.items[i] : section, listed ? "workload[" + std::to_string(i) + "]" : "workload");
    std::string& model = stamped_model(*w);
    if (model.empty()) {
      if (served.size() > 1 && !carries_models(*w))
        wr.fail("model", "the pools serve several models (" + served_list +
                             "): name the one these requests are for with `model:`");
      continue;
    }
    const TransformerSpec* spec = models.find(model);
    if (!spec) wr.fail("model", "unknown model '" + model + "'; the pools serve: " + served_list);
    if (std::find(served.begin(), served.end(), spec->name) == served.end())
      wr.fail("model", "no pool serves model '" + model + "'; the pools serve: " + served_list);
    model = spec->name;
  }
}

}  // namespace

Scenario load_scenario(const std::filesystem::path& file, const LoadOptions& options) {
  ConfigNode root = load_config_file(file);
  for (const auto& o : options.overrides) apply_override(root, o);
  std::erase_if(root.entries, [&](const auto& e) {
    return std::find(options.without.begin(), options.without.end(), e.first) != options.without.end();
  });

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
    s.output.slo_window = out.duration_or("slo_window", s.output.slo_window);
    if (s.output.slo_window <= Time{}) out.fail("slo_window", "the window must be a positive duration");
    out.finish();
  }
  if (r.has("compare_to")) {
    MapReader c = r.map("compare_to");
    BaselineSpec b;
    b.file = file;
    if (c.has("scenario")) {
      const std::filesystem::path other = c.string("scenario");
      b.file = other.is_absolute() ? other : file.parent_path() / other;
    } else {
      b.overrides = options.overrides;
    }
    for (const ConfigItem& item : c.items("set")) b.overrides.push_back(read_string(item.node, item.path));
    for (const ConfigItem& item : c.items("without")) {
      b.without.push_back(read_string(item.node, item.path));
      // (A baseline's own reading sees the sections already removed.)
      if (options.read_baseline && (b.without.back() == "compare_to" || !r.optional(b.without.back())))
        throw_config_error(item.node.where, item.path, "not a top-level section of this scenario");
    }
    if (!c.has("scenario") && !c.has("set") && !c.has("without"))
      c.fail("set", "give the baseline as `set: [path=value, ...]` or `without: [section, ...]` over this "
                    "scenario, or `scenario: file.yaml`");
    c.finish();
    if (options.read_baseline) {
      // Loaded now so that `validate` checks it; a baseline's own compare_to is not followed.
      LoadOptions inner;
      inner.overrides = b.overrides;
      inner.without = b.without;
      inner.seed = options.seed;
      inner.read_baseline = false;
      (void)load_scenario(b.file, inner);
      s.baseline = std::move(b);
    }
  }
  if (r.has("queueing")) s.queueing = read_queueing(r.map("queueing"));
  const bool has_training = r.has("cluster") || r.has("training") || r.has("jobs");
  // The default catalogs, then whatever the scenario adds or `extends:` (same names replace).
  GpuCatalog gpus;
  ModelCatalog models;
  PriceCatalog prices;
  if (r.has("serving") || has_training) {
    const std::filesystem::path dir = config_dir();
    gpus = load_gpu_catalog(gpu_catalog_file(dir));
    models = load_model_catalog(model_catalog_dir(dir));
    prices = load_price_catalog(price_catalog_dir(dir));
    read_gpu_catalog(r, gpus);
    read_model_catalog(r, models);
    if (r.has("prices")) {
      MapReader p = r.map("prices");
      read_price_catalog(p, prices);
      p.finish();
    }
  }
  if (r.has("serving")) {
    if (s.queueing) r.fail("serving", "a scenario has one request workload model: `queueing:` or `serving:`, not both");
    if (r.required("serving").is_sequence()) {
      s.serving_pools = read_serving_pools(r.items("serving"), gpus, models, &prices);
      if (s.serving_pools.empty()) r.fail("serving", "the list of serving pools is empty");
    } else {
      s.serving = read_serving(r.map("serving"), gpus, models, false, &prices);
    }
    if (!r.has("workload")) r.fail("serving", "`serving:` needs a `workload:` section with its requests");
    if (r.required("workload").is_sequence()) {
      for (const auto& item : r.items("workload")) {
        s.workload_streams.push_back(read_inference_workload(MapReader(item.node, item.path)));
        // Streams name their random streams: the first keeps the single form's name.
        InferenceWorkloadSpec& w = s.workload_streams.back();
        if (!MapReader(item.node, item.path).has("name") && s.workload_streams.size() > 1)
          w.name += std::to_string(s.workload_streams.size() - 1);
        for (std::size_t j = 0; j + 1 < s.workload_streams.size(); ++j)
          if (s.workload_streams[j].name == w.name)
            MapReader(item.node, item.path).fail("name", "workload name '" + w.name + "' is used twice");
      }
      if (s.workload_streams.empty()) r.fail("workload", "the list of workload streams is empty");
    } else {
      s.workload = read_inference_workload(r.map("workload"));
    }
    s.pool_split = r.choice_or<PoolSplit>(
        "pool_split", {{"smooth_round_robin", PoolSplit::kSmoothRoundRobin}, {"random", PoolSplit::kRandom}},
        s.pool_split);
    resolve_stream_models(r, s, models);
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
    s.training = read_training_cluster(r, gpus, models, topology_nodes, topology_gpus_per_node, &prices);
    if (s.queueing) r.fail("cluster", "a training cluster runs beside `serving:`, not beside `queueing:`");
  }
  r.finish();
  if (!s.queueing && s.all_serving_pools().empty() && !s.training && !(s.network && !s.network->jobs.empty()))
    throw_config_error(root.where, "",
                       "the scenario has no workload model: add a `queueing:`, `serving:` or `training:` section, "
                       "`jobs:` on a `cluster:`, or `collectives:` jobs on a `topology:`");
  return s;
}

}  // namespace cs
