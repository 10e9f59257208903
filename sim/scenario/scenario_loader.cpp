#include "sim/scenario/scenario_loader.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "sim/scenario/config_file_log.hpp"
#include "sim/scenario/config_reader.hpp"
#include "sim/scenario/gpu_catalog_loader.hpp"
#include "sim/scenario/model_catalog_loader.hpp"
#include "sim/scenario/price_catalog_loader.hpp"
#include "sim/scenario/scenario_checks.hpp"
#include "sim/scenario/section_input.hpp"

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
  // The catalogs that names in the sections resolve against: the defaults, then whatever the
  // scenario adds or `extends:` (same names replace).
  Catalogs catalogs;
  if (r.has("serving") || r.has("cluster") || r.has("training") || r.has("jobs")) {
    const std::filesystem::path dir = config_dir();
    catalogs.gpus = load_gpu_catalog(gpu_catalog_file(dir));
    catalogs.models = load_model_catalog(model_catalog_dir(dir));
    catalogs.prices = load_price_catalog(price_catalog_dir(dir));
    read_gpu_catalog(r, catalogs.gpus);
    read_model_catalog(r, catalogs.models);
    if (r.has("prices")) {
      MapReader p = r.map("prices");
      read_price_catalog(p, catalogs.prices);
      p.finish();
    }
  }
  SectionInput in{r, catalogs};
#define CLUSTERSIM_READ_SECTION(name) read_##name##_section(in, s);
  CLUSTERSIM_SUBSYSTEMS(CLUSTERSIM_READ_SECTION)
#undef CLUSTERSIM_READ_SECTION
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
