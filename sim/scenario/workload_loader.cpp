#include "sim/scenario/workload_loader.hpp"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "sim/scenario/distribution_reader.hpp"
#include "sim/scenario/spec_refusal.hpp"
#include "workloads/demand_presets.hpp"
#include "workloads/trace_error.hpp"
#include "workloads/workload_spec_checks.hpp"

namespace cs {

namespace {

// A trace or job file named in a scenario: relative to the file that wrote the path (extends
// and !include keep working from anywhere; a --set path is relative to the working
// directory), then, for a relative path that is not there, in $CLUSTERSIM_TRACE_DIR (the path
// as written, then its file name). Only a regular file is accepted: a FIFO or a device would
// block or never end. The result is absolute, as /meta records it.
std::string resolve_input_file(MapReader& r, std::string_view key) {
  namespace fs = std::filesystem;
  const ConfigNode& n = r.required(key);
  const fs::path written = read_string(n, r.path_of(key));
  if (written.empty()) r.fail(key, "the path is empty");
  std::vector<fs::path> candidates;
  if (written.is_absolute()) {
    candidates.push_back(written);
  } else {
    const bool from_file = n.where.origin && n.where.line > 0;
    candidates.push_back((from_file ? fs::path(*n.where.origin).parent_path() : fs::path()) / written);
    if (const char* env = std::getenv("CLUSTERSIM_TRACE_DIR"); env && *env) {
      candidates.push_back(fs::path(env) / written);
      candidates.push_back(fs::path(env) / written.filename());
    }
  }
  std::string tried;
  for (const fs::path& p : candidates) {
    std::error_code ec;
    const fs::file_status status = fs::status(p, ec);
    if (fs::is_regular_file(status)) return fs::absolute(p).lexically_normal().string();
    if (fs::exists(status)) r.fail(key, "'" + p.string() + "' is not a regular file");
    tried += (tried.empty() ? "" : ", ") + p.string();
  }
  r.fail(key, "no such file (tried " + tried + (std::getenv("CLUSTERSIM_TRACE_DIR") ? ")" : "; $CLUSTERSIM_TRACE_DIR is not set)"));
}

// Reads the file's header and first row now, so that `validate` (and a run, before it
// simulates anything) reports an unreadable trace at the scenario key that names it.
template <typename Open>
void probe_input_file(MapReader& r, std::string_view key, Open open) {
  try {
    open()->next();
  } catch (const TraceError& e) {
    r.fail(key, e.what());
  }
}

// A looped trace without `loop_period` repeats after its span; one whose rows all arrive at one
// instant has none (the run would refuse it at the end of its first pass). Reads on only while
// the rows share the first one's time, so a trace that spans time costs two rows here.
void check_loop_has_period(MapReader& r, const TraceSourceSpec& t) {
  try {
    const std::unique_ptr<RequestSource> source = open_request_trace(t);
    const std::optional<InferenceRequest> first = source->next();
    std::optional<InferenceRequest> row = first;
    while (row && row->arrival == first->arrival) row = source->next();
    if (first && !row)
      r.fail("loop", t.path + ": every row has the same arrival time, so looping it has no period; set `loop_period`");
  } catch (const TraceError& e) {
    r.fail("path", e.what());
  }
}

CsvColumn read_column(MapReader& r, std::string_view key) {
  const ConfigNode& n = r.required(key);
  const std::string text = read_string(n, r.path_of(key));
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
    const std::int64_t position = read_integer(n, r.path_of(key));
    if (position < 1) r.fail(key, "column positions count from 1");
    return {"", static_cast<int>(position)};
  }
  return {text, 0};
}

CsvTraceMapping read_columns(MapReader r) {
  CsvTraceMapping m;
  const std::string delimiter = r.string_or("delimiter", ",");
  if (delimiter.size() != 1) r.fail("delimiter", "the delimiter must be one character");
  m.delimiter = delimiter[0];
  m.has_header = r.boolean_or("header", true);
  m.time = read_column(r, "time");
  m.time_unit = r.choice_or<TraceTimeUnit>("time_unit",
                                           {{"s", TraceTimeUnit::kSeconds},
                                            {"ms", TraceTimeUnit::kMilliseconds},
                                            {"us", TraceTimeUnit::kMicroseconds},
                                            {"ns", TraceTimeUnit::kNanoseconds},
                                            {"datetime", TraceTimeUnit::kWallClock}},
                                           TraceTimeUnit::kSeconds);
  m.input_tokens = read_column(r, "input_tokens");
  m.output_tokens = read_column(r, "output_tokens");
  if (r.has("model")) m.model = read_column(r, "model");
  for (const CsvColumn* c : {&m.time, &m.input_tokens, &m.output_tokens}) {
    if (!m.has_header && !c->name.empty())
      r.fail("header", "without a header every column must be a position (1, 2, ...)");
  }
  r.finish();
  return m;
}

TraceSourceSpec read_trace(MapReader r, bool allow_loop) {
  TraceSourceSpec t;
  t.format = r.choice<TraceFormat>(
      "format", {{"azure", TraceFormat::kAzure}, {"jsonl", TraceFormat::kJsonl}, {"csv", TraceFormat::kCsv}});
  t.path = resolve_input_file(r, "path");
  t.read.skip_bad_rows = r.boolean_or("skip_bad_rows", false);
  t.read.origin = r.choice_or<TraceTimeOrigin>(
      "time_origin", {{"first_row", TraceTimeOrigin::kFirstRow}, {"file", TraceTimeOrigin::kFileZero}},
      TraceTimeOrigin::kFirstRow);
  t.read.offset = r.duration_or("start", Time());
  if (t.format == TraceFormat::kCsv) {
    t.columns = read_columns(r.map("columns"));
  }
  if (t.format == TraceFormat::kJsonl) {
    t.read.prefix_block_tokens = r.integer_or("block_tokens", t.read.prefix_block_tokens);
    r.check_range("block_tokens", static_cast<double>(t.read.prefix_block_tokens), 1, 1e6);
  }
  t.max_tokens = r.integer_or("max_tokens", 0);
  if (t.max_tokens != 0) r.check_range("max_tokens", static_cast<double>(t.max_tokens), 2, 1e12);
  probe_input_file(r, "path", [&t] { return open_request_trace(t); });
  if (allow_loop) {
    t.time_scale = r.number_or("time_scale", 1.0);
    const std::int64_t passes = r.integer_or("loop", 1);
    r.check_range("loop", static_cast<double>(passes), 0, 1e9);
    t.passes = static_cast<std::uint64_t>(passes);
    t.loop_period = r.duration_or("loop_period", Time());
    // (A negative period or scale is the spec's validate()'s to refuse.)
    if (t.passes != 1 && t.loop_period == Time() && t.time_scale > 0) check_loop_has_period(r, t);
  }
  r.finish();
  return t;
}

DemandProfile read_preset(MapReader& r, const std::string& name) {
  auto ratio = [&](std::string_view key, double fallback) {
    const double v = r.quantity_or(key, Dimension::kRatio, fallback);
    r.check_range(key, v, 0, 1e6);
    return v;
  };
  if (name == "launch_day") {
    LaunchDayShape s;
    s.start = r.duration_or("start", s.start);
    s.ramp = r.duration_or("ramp", s.ramp);
    s.peak = ratio("peak", s.peak);
    s.hold = r.duration_or("hold", s.hold);
    s.decay = r.duration_or("decay", s.decay);
    s.settle = ratio("settle", s.settle);
    return launch_day_profile(s);
  }
  if (name == "weekly_growth") {
    WeeklyGrowthShape s;
    s.growth_per_week = r.quantity_or("growth_per_week", Dimension::kRatio, s.growth_per_week);
    s.horizon = r.duration_or("horizon", s.horizon);
    s.step = r.duration_or("step", s.step);
    if (s.horizon / (s.step > Time() ? s.step : Time::ns(1)) > 1'000'000)
      r.fail("step", "more than a million points; use a longer step");
    return weekly_growth_profile(s);
  }
  if (name == "flash_burst") {
    FlashBurstShape s;
    s.at = r.duration_or("at", s.at);
    s.rise = r.duration_or("rise", s.rise);
    s.peak = ratio("peak", s.peak);
    s.hold = r.duration_or("hold", s.hold);
    s.fall = r.duration_or("fall", s.fall);
    return flash_burst_profile(s);
  }
  return demand_preset(name);  // throws naming the known presets
}

}  // namespace

DemandProfile read_demand_profile(MapReader& r) {
  try {
    if (r.has("preset")) {
      if (r.has("points")) r.fail("points", "give either a preset or points, not both");
      const std::string name = r.choice<std::string>(
          "preset", {{"launch_day", "launch_day"}, {"weekly_growth", "weekly_growth"}, {"flash_burst", "flash_burst"}});
      return read_preset(r, name);
    }
    std::vector<DemandPoint> points;
    for (const auto& item : r.items("points")) {
      if (item.node.is_sequence()) {
        if (item.node.items.size() != 2)
          throw_config_error(item.node.where, item.path, "a point is [time, multiplier]");
        points.push_back({read_duration(item.node.items[0], item.path + "[0]"),
                          read_quantity(item.node.items[1], item.path + "[1]", Dimension::kRatio)});
      } else {
        MapReader p(item.node, item.path);
        points.push_back({p.duration("at"), p.quantity("multiplier", Dimension::kRatio)});
        p.finish();
      }
    }
    if (points.empty()) r.fail("points", "a demand profile needs a preset or at least one point");
    return DemandProfile(std::move(points));
  } catch (const std::invalid_argument& e) {
    throw_config_error(r.node().where, r.path(), e.what());
  }
}

namespace {

// When a generator makes requests: `start`, `end` and `max_requests`.
void read_generator_span(MapReader& r, Time& start, std::optional<Time>& end, std::uint64_t& max_requests) {
  start = r.duration_or("start", Time());
  if (r.has("end")) end = r.duration("end");
  const std::int64_t n = r.integer_or("max_requests", 0);
  r.check_range("max_requests", static_cast<double>(n), 0, 1e18);
  max_requests = static_cast<std::uint64_t>(n);
}

ConversationSpec read_conversations(MapReader r) {
  ConversationSpec c;
  c.sessions = read_arrivals(r.map("sessions"));
  if (r.has("turns")) c.turns = read_distribution(r.map("turns"), Dimension::kCount);
  if (r.has("think_time")) c.think_time_s = read_distribution(r.map("think_time"), Dimension::kDuration);
  if (r.has("user_tokens")) c.user_tokens = read_distribution(r.map("user_tokens"), Dimension::kCount);
  if (r.has("output_tokens")) c.output_tokens = read_distribution(r.map("output_tokens"), Dimension::kCount);
  c.system_prompt_tokens =
      static_cast<std::int64_t>(r.quantity_or("system_prompt_tokens", Dimension::kCount, 0));
  r.check_range("system_prompt_tokens", static_cast<double>(c.system_prompt_tokens), 0, 1e9);
  c.system_prompts = r.integer_or("system_prompts", c.system_prompts);
  r.check_range("system_prompts", static_cast<double>(c.system_prompts), 1, 1e6);
  c.system_prompt_zipf = r.number_or("system_prompt_zipf", c.system_prompt_zipf);
  r.check_range("system_prompt_zipf", c.system_prompt_zipf, 0, 100);
  c.block_tokens = r.integer_or("block_tokens", c.block_tokens);
  r.check_range("block_tokens", static_cast<double>(c.block_tokens), 1, 1e6);
  c.max_context_tokens = static_cast<std::int64_t>(r.quantity_or("max_context_tokens", Dimension::kCount, 0));
  r.check_range("max_context_tokens", static_cast<double>(c.max_context_tokens), 0, 1e12);
  read_generator_span(r, c.start, c.end, c.max_requests);
  r.finish();
  return c;
}

}  // namespace

InferenceWorkloadSpec read_inference_workload(MapReader r) {
  InferenceWorkloadSpec w;
  w.name = r.string_or("name", w.name);
  const std::string model = r.string_or("model", "");
  // Exactly one source: the spec's validate() says so when there is none or several.
  if (r.has("conversations")) {
    w.conversations = read_conversations(r.map("conversations"));
    w.conversations->model = model;
  }
  if (r.has("trace")) {
    w.trace = read_trace(r.map("trace"), true);
    w.trace->read.model = model;
  }
  if (r.has("synthetic")) {
    MapReader s = r.map("synthetic");
    SyntheticWorkloadSpec g;
    g.model = model;
    g.arrivals = read_arrivals(s.map("arrivals"));
    if (s.has("diurnal")) {
      MapReader d = s.map("diurnal");
      g.diurnal.period = d.duration_or("period", g.diurnal.period);
      g.diurnal.amplitude = d.quantity("amplitude", Dimension::kRatio);
      g.diurnal.peak_at = d.duration_or("peak_at", Time());
      d.finish();
    }
    if (s.has("lengths_from")) {
      if (s.has("input_tokens") || s.has("output_tokens"))
        s.fail("lengths_from", "give token distributions or lengths_from, not both");
      w.lengths_from = read_trace(s.map("lengths_from"), false);
    } else {
      g.lengths.input = read_distribution(s.map("input_tokens"), Dimension::kCount);
      g.lengths.output = read_distribution(s.map("output_tokens"), Dimension::kCount);
    }
    g.lengths.max_input_tokens = static_cast<std::int64_t>(s.quantity_or("max_input_tokens", Dimension::kCount, 0));
    g.lengths.max_output_tokens = static_cast<std::int64_t>(s.quantity_or("max_output_tokens", Dimension::kCount, 0));
    s.check_range("max_input_tokens", static_cast<double>(g.lengths.max_input_tokens), 0, 1e12);
    s.check_range("max_output_tokens", static_cast<double>(g.lengths.max_output_tokens), 0, 1e12);
    read_generator_span(s, g.start, g.end, g.max_requests);
    s.finish();
    w.synthetic = std::move(g);
  }
  if (r.has("demand")) {
    MapReader d = r.map("demand");
    DemandShapingSpec shaping;
    shaping.demand = read_demand_profile(d);
    if (w.trace) {
      shaping.jitter = d.duration_or("jitter", shaping.jitter);
      shaping.copy_prefix_ids = d.choice_or<CopyPrefixIds>(
          "copy_prefix_ids", {{"keep", CopyPrefixIds::kKeep}, {"per_copy", CopyPrefixIds::kPerCopySpace}},
          CopyPrefixIds::kKeep);
    }
    d.finish();
    w.demand = std::move(shaping);
  }
  r.finish();
  refuse(r, validate(w));
  return w;
}

namespace {

JobTraceSpec read_job_file(MapReader& r) {
  JobTraceSpec j;
  j.path = resolve_input_file(r, "path");
  j.options.skip_bad_rows = r.boolean_or("skip_bad_rows", false);
  j.options.offset = r.duration_or("start", Time());
  if (j.options.offset < Time()) r.fail("start", "the start must not be negative");
  return j;
}

JobTraceRecord read_inline_job(MapReader r, std::size_t index) {
  JobTraceRecord j;
  j.name = r.string_or("name", "job-" + std::to_string(index));
  j.creation = r.duration_or("submit", Time());
  if (j.creation < Time()) r.fail("submit", "the submit time must not be negative");
  j.num_gpu = r.integer("gpus");
  r.check_range("gpus", static_cast<double>(j.num_gpu), 0, 1e7);
  j.gpu_milli = j.num_gpu > 0 ? 1000 : 0;
  const Time duration = r.duration("duration");
  if (duration <= Time()) r.fail("duration", "the duration must be positive");
  j.qos = r.string_or("qos", "");
  j.scheduled = j.creation;
  j.deletion = j.creation + duration;
  j.phase = PodPhase::kSucceeded;
  r.finish();
  return j;
}

}  // namespace

JobTraceSpec read_job_trace(MapReader r) {
  r.choice<int>("format", {{"alibaba_pods", 0}});
  JobTraceSpec j = read_job_file(r);
  probe_input_file(r, "path", [&j] { return std::make_unique<AlibabaPodTrace>(j.path, j.options); });
  r.finish();
  return j;
}

JobWorkloadSpec read_job_workload(MapReader& parent, std::string_view key) {
  JobWorkloadSpec w;
  const ConfigNode& node = parent.required(key);
  const std::string path = parent.path_of(key);
  if (node.is_sequence()) {
    w.format = JobListFormat::kInline;
    std::size_t i = 0;
    for (const ConfigItem& item : parent.items(key)) {
      JobTraceRecord j = read_inline_job(MapReader(item.node, item.path), i++);
      if (!w.inline_jobs.empty() && j.creation < w.inline_jobs.back().creation)
        throw_config_error(item.node.where, item.path, "jobs must be listed in submit order");
      w.inline_jobs.push_back(std::move(j));
    }
    return w;
  }
  MapReader r(node, path);
  w.format =
      r.choice<JobListFormat>("format", {{"alibaba_pods", JobListFormat::kAlibabaPods}, {"csv", JobListFormat::kCsv}});
  w.time_scale = r.number_or("time_scale", 1.0);
  if (!(w.time_scale > 0)) r.fail("time_scale", "the time scale must be positive");
  w.trace = read_job_file(r);
  probe_input_file(r, "path", [&w] { return make_job_source(w); });
  r.finish();
  return w;
}

}  // namespace cs
