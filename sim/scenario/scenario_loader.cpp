#include "sim/scenario/scenario_loader.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <variant>

#include "sim/scenario/config_file_log.hpp"
#include "sim/scenario/config_reader.hpp"
#include "sim/scenario/distribution_reader.hpp"
#include "sim/scenario/gpu_catalog_loader.hpp"
#include "sim/scenario/model_catalog_loader.hpp"
#include "sim/scenario/price_catalog_loader.hpp"
#include "sim/scenario/scenario_checks.hpp"
#include "sim/scenario/disaggregation_loader.hpp"
#include "sim/scenario/serving_loader.hpp"
#include "sim/scenario/topology_loader.hpp"
#include "sim/scenario/training_loader.hpp"
#include "sim/scenario/workload_loader.hpp"

namespace cs {

namespace {

SimulationSettings read_simulation(MapReader r) {
  SimulationSettings s;
  s.until_drained = r.string("horizon") == "drain";
  if (s.until_drained) {
    s.horizon = r.duration_or("drain_cap", Time::s(7 * 86400));
    if (s.horizon <= Time{}) r.fail("drain_cap", "the cap must be a positive duration");
  } else {
    s.horizon = r.duration("horizon");
    if (s.horizon <= Time{}) r.fail("horizon", "the horizon must be a positive duration");
    if (r.has("drain_cap")) r.fail("drain_cap", "a cap goes with `horizon: drain`");
  }
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
  return w.trace ? w.trace->read.model : w.conversations ? w.conversations->model : w.synthetic->model;
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
  const ConfigNode& section = r.required("workload");
  for (std::size_t i = 0; i < s.workload_streams.size(); ++i) {
    InferenceWorkloadSpec* w = &s.workload_streams[i];
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

// `workload_listed`: the file wrote `workload:` as a list (the keys are then indexed).
void list_input_files(Scenario& s, bool workload_listed) {
  for (std::size_t i = 0; i < s.workload_streams.size(); ++i) {
    const InferenceWorkloadSpec& w = s.workload_streams[i];
    const std::string key = workload_listed ? "workload[" + std::to_string(i) + "]" : "workload";
    if (w.trace) s.input_files.push_back({key + ".trace.path", w.trace->path});
    if (w.lengths_from) s.input_files.push_back({key + ".synthetic.lengths_from.path", w.lengths_from->path});
  }
  if (s.training && s.training->trace && s.training->trace->format != JobListFormat::kInline)
    s.input_files.push_back({"jobs.path", s.training->trace->trace.path});
}

std::string located(const ConfigNode& n, const std::string& path) {
  return (n.key_where.origin ? n.key_where : n.where).describe() + ": " + path;
}

// The checks that warn rather than refuse: a run that is valid but unlikely to be what the
// author meant.
void add_warnings(const ConfigNode& root, Scenario& s) {
  const ConfigNode* sim = root.find("simulation");
  if (sim && s.simulation.sample_interval > s.simulation.horizon) {
    const ConfigNode* n = sim->find("sample_interval");
    s.warnings.push_back(located(n ? *n : *sim, "simulation.sample_interval") + ": the sample interval (" +
                         format_duration(s.simulation.sample_interval) + ") is longer than the horizon (" +
                         format_duration(s.simulation.horizon) + "): the timeline has a single row");
  }
  const ConfigNode* workload = root.find("workload");
  const std::vector<const InferenceWorkloadSpec*> streams = s.all_workloads();
  for (std::size_t i = 0; workload && i < streams.size(); ++i) {
    if (!streams[i]->demand) continue;
    const DemandProfile& d = streams[i]->demand->demand;
    if (!(d.peak() > 1)) continue;
    // The spike starts where the rise into the first peak does.
    const std::vector<DemandPoint>& points = d.points();
    std::size_t peak = 0;
    while (points[peak].multiplier != d.peak()) ++peak;
    std::size_t rise = peak;
    while (rise > 0 && points[rise - 1].multiplier < points[rise].multiplier) --rise;
    if (points[rise].at < s.simulation.horizon) continue;  // the run sees the spike begin
    const Time peak_at = points[peak].at;
    const ConfigNode& stream = workload->is_sequence() ? workload->items[i] : *workload;
    const ConfigNode* demand = stream.is_map() ? stream.find("demand") : nullptr;
    const std::string path = workload->is_sequence() ? "workload[" + std::to_string(i) + "].demand" : "workload.demand";
    s.warnings.push_back(located(demand ? *demand : stream, path) + ": the horizon (" +
                         format_duration(s.simulation.horizon) + ") ends before the demand spike starts (at " +
                         format_duration(points[rise].at) + ", peaking at " + std::to_string(d.peak()) + "x at " +
                         format_duration(peak_at) + ")");
  }
}

}  // namespace

Scenario load_scenario(const std::filesystem::path& file, const LoadOptions& options) {
  ConfigFileLog read;
  std::vector<std::filesystem::path> baseline_data;
  ConfigNode root = load_config_file(file);
  for (const auto& o : options.overrides) apply_override(root, o);
  // The resolved scenario in /meta reruns as this run did: it carries the seed used.
  // (the default, 1, is written out too).
  if (options.seed)
    apply_override(root, "seed=" + std::to_string(*options.seed));
  else if (root.is_map() && !root.find("seed"))
    apply_override(root, "seed=1");
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
  const std::int64_t seed = r.integer("seed");
  r.check_range("seed", static_cast<double>(seed), 0, HUGE_VAL);
  s.seed = static_cast<std::uint64_t>(seed);
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
      for (const InputFile& f : load_scenario(b.file, inner).input_files) baseline_data.push_back(f.path);
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
      s.serving_pools = read_serving_pools(r.items("serving"), gpus, models, &prices, decode_pool_name(r));
      if (s.serving_pools.empty()) r.fail("serving", "the list of serving pools is empty");
    } else {
      s.serving_pools.push_back(read_serving(r.map("serving"), gpus, models, false, &prices));
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
      s.workload_streams.push_back(read_inference_workload(r.map("workload")));
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
  if (r.has("disaggregation")) s.disaggregation = read_disaggregation(r.map("disaggregation"), s);
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
  const ConfigNode* workload = root.find("workload");
  list_input_files(s, workload && workload->is_sequence());
  s.config_files = read.files();
  s.config_files.insert(s.config_files.end(), baseline_data.begin(), baseline_data.end());
  validate_scenario(r, s);
  add_warnings(root, s);
  return s;
}

}  // namespace cs
