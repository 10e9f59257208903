#include "sim/planning/capacity_plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "sim/planning/slo_figures.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace cs {

namespace {

std::string figure_text(double v, const std::string& unit) {
  char buf[48];
  if (unit == "%") std::snprintf(buf, sizeof buf, "%.2f%%", 100 * v);
  else if (unit == "s") std::snprintf(buf, sizeof buf, "%.3g s", v);
  else std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::vector<Setting> knob_settings(const CapacityKnob& k, int value) {
  std::vector<Setting> out;
  for (const auto& p : k.paths) out.emplace_back(p, std::to_string(value));
  return out;
}

SweepPoint point_of(const CapacityPlanSpec& spec, const CandidateOutcome& c, int value,
                    std::optional<std::uint64_t> seed) {
  SweepPoint p{spec.scenario, spec.fixed, c.settings, seed, spec.worst_window};
  const auto knob = knob_settings(spec.knob, value);
  p.settings.insert(p.settings.end(), knob.begin(), knob.end());
  return p;
}

// The search state of one candidate: (lo, hi) is the open interval of knob values not yet
// judged; lo misses (or lies below the range), hi meets (or lies above it).
struct Search {
  int lo = 0, hi = 0;
  bool verify_bound = false;  // simulate hi - 1 although the bound says it misses
  bool done = false;
};

std::vector<int> probes(const Search& s, const CapacityKnob& k, int per_round) {
  if (s.done) return {};
  if (s.verify_bound) return {s.hi - 1};
  std::vector<int> out;
  const bool hi_known = s.hi <= k.max;
  const int open = s.hi - s.lo - 1;  // integers strictly inside
  if (open <= per_round + (hi_known ? 0 : 1)) {
    for (int v = s.lo + 1; v < s.hi; ++v) out.push_back(v);
    return out;
  }
  std::set<int> picked;
  for (int i = 1; i <= per_round; ++i)
    picked.insert(s.lo + static_cast<int>(std::lround(double(i) * (s.hi - s.lo) / (per_round + 1))));
  if (!hi_known) picked.insert(k.max);  // whether the range holds an answer at all
  return {picked.begin(), picked.end()};
}

ConfigOutcome judge(const CapacityPlanSpec& spec, int value, const std::vector<SweepPoint>& points,
                    const std::vector<const PointResult*>& results) {
  ConfigOutcome o;
  o.value = value;
  std::map<std::string, std::vector<std::string>> missed_seeds;  // per SLO name
  for (std::size_t i = 0; i < results.size(); ++i) {
    const PointResult& r = *results[i];
    const std::string seed = std::to_string(points[i].seed.value_or(r.seed));
    o.run_files.push_back(r.run_file);
    if (!r.ok) {
      o.violations.push_back("the run failed (seed " + seed + "): " + r.error);
      continue;
    }
    const double cost = summary_number(r.summary, spec.cost_key);
    if (std::isnan(cost)) o.violations.push_back(spec.cost_key + " is not in the run's summary (seed " + seed + ")");
    else o.cost_usd = std::max(o.cost_usd, cost);
    const double per_1k = usd_per_1k_tokens(r.summary);
    if (!std::isnan(per_1k)) o.usd_per_1k_tokens = std::max(o.usd_per_1k_tokens, per_1k);
    const double gpus = summary_number(r.summary, "gpus_peak");
    if (!std::isnan(gpus)) o.gpus = std::max(o.gpus, gpus);
    for (const SloBound& b : spec.slo) {
      const double v = summary_number(r.summary, b.summary_key);
      if (std::isnan(v)) {
        o.violations.push_back(b.summary_key + " is not in the run's summary (seed " + seed + ")");
        continue;
      }
      auto [it, fresh] = o.worst.emplace(b.name, v);
      if (!fresh) it->second = b.at_most ? std::max(it->second, v) : std::min(it->second, v);
      if (!(b.at_most ? v <= b.bound : v >= b.bound)) missed_seeds[b.name].push_back(seed);
    }
  }
  for (const SloBound& b : spec.slo) {  // one line per objective: its worst value, the seeds that missed
    const auto it = missed_seeds.find(b.name);
    if (it == missed_seeds.end()) continue;
    std::string seeds;
    for (const auto& s : it->second) seeds += (seeds.empty() ? "" : ", ") + s;
    o.violations.push_back(b.name + " " + figure_text(o.worst.at(b.name), b.unit) + (b.at_most ? " > " : " < ") +
                           figure_text(b.bound, b.unit) + " (seed" + (it->second.size() > 1 ? "s " : " ") + seeds +
                           ")");
  }
  o.meets = o.violations.empty();
  return o;
}

}  // namespace

std::string candidate_label(const std::vector<Setting>& settings) {
  std::vector<std::string> tails;
  for (const auto& [path, value] : settings) tails.push_back(path.substr(path.find_last_of('.') + 1));
  std::string out;
  for (std::size_t i = 0; i < settings.size(); ++i) {
    const bool unique = std::count(tails.begin(), tails.end(), tails[i]) == 1;
    out += (out.empty() ? "" : " ") + (unique ? tails[i] : settings[i].first) + "=" + settings[i].second;
  }
  return out.empty() ? "base" : out;
}

CapacityPlanResult run_capacity_plan(const CapacityPlanSpec& spec, PointLauncher& launcher, bool progress) {
  CapacityPlanResult result;
  result.quality_slo = spec.slo.front().name;
  for (const auto& b : spec.slo)
    if (b.name == "attainment") result.quality_slo = b.name;

  LoadOptions base;
  for (const auto& [path, value] : spec.fixed) base.overrides.push_back(path + "=" + value);
  for (const auto& s : knob_settings(spec.knob, spec.knob.max)) base.overrides.push_back(s.first + "=" + s.second);
  result.peak = measure_workload_peak(load_scenario(spec.scenario, base), spec.worst_window);

  std::vector<Search> searches;
  for (const auto& settings : expand_settings(spec.candidates)) {
    CandidateOutcome c;
    c.settings = settings;
    c.label = candidate_label(settings);
    Search s{spec.knob.min - 1, spec.knob.max + 1};
    try {
      LoadOptions load = base;
      for (const auto& [path, value] : settings) load.overrides.push_back(path + "=" + value);
      const Scenario candidate = load_scenario(spec.scenario, load);
      if (spec.knob.throughput_bound) c.bound = replica_throughput_bound(candidate, result.peak);
    } catch (const std::exception& e) {  // ConfigError, TraceError, an estimate that refuses
      c.status = CandidateOutcome::Status::kPruned;
      c.reason = std::string("does not load: ") + e.what();
      s.done = true;
    }
    if (!s.done && c.bound.applies && c.bound.min_replicas > spec.knob.max) {
      char buf[256];
      std::snprintf(buf, sizeof buf,
                    "throughput bound: the peak %.0f output tokens/s needs at least %d replicas at %.0f tokens/s "
                    "each (batch %d), more than search.max %d",
                    result.peak.peak_output_tokens_per_s, c.bound.min_replicas, c.bound.replica_output_tokens_per_s,
                    c.bound.batch, spec.knob.max);
      c.status = CandidateOutcome::Status::kPruned;
      c.reason = buf;
      s.done = true;
    } else if (c.bound.applies) {
      s.lo = std::max(s.lo, c.bound.min_replicas - 1);
    }
    result.candidates.push_back(std::move(c));
    searches.push_back(s);
  }

  std::vector<std::optional<std::uint64_t>> seeds;
  for (const auto s : spec.candidates.seeds) seeds.emplace_back(s);
  if (seeds.empty()) seeds.emplace_back(std::nullopt);

  for (;;) {
    struct Probe {
      std::size_t candidate;
      int value;
      std::size_t first_point;
    };
    std::vector<Probe> round;
    std::vector<SweepPoint> points;
    for (std::size_t c = 0; c < searches.size(); ++c)
      for (const int v : probes(searches[c], spec.knob, spec.probes)) {
        round.push_back({c, v, points.size()});
        for (const auto& seed : seeds) points.push_back(point_of(spec, result.candidates[c], v, seed));
      }
    if (round.empty()) break;
    ++result.rounds;
    const auto results = run_points(points, spec.output, launcher,
                                    {progress, "plan round " + std::to_string(result.rounds)});
    result.points_run += points.size();
    for (const Probe& p : round) {
      std::vector<SweepPoint> ps(points.begin() + static_cast<std::ptrdiff_t>(p.first_point),
                                 points.begin() + static_cast<std::ptrdiff_t>(p.first_point + seeds.size()));
      std::vector<const PointResult*> rs;
      for (std::size_t i = 0; i < seeds.size(); ++i) rs.push_back(&results[p.first_point + i]);
      CandidateOutcome& c = result.candidates[p.candidate];
      Search& s = searches[p.candidate];
      ConfigOutcome o = judge(spec, p.value, ps, rs);
      if (s.verify_bound) {
        s.verify_bound = false;
        if (o.meets) s.lo = spec.knob.min - 1;  // the bound was too tight: search below it too
      }
      if (o.meets) s.hi = std::min(s.hi, p.value);
      else if (p.value < s.hi) s.lo = std::max(s.lo, p.value);
      c.evaluated[p.value] = std::move(o);
    }
    for (std::size_t i = 0; i < searches.size(); ++i) {
      Search& s = searches[i];
      CandidateOutcome& c = result.candidates[i];
      if (s.done || s.hi - s.lo > 1 || s.verify_bound) continue;
      if (s.hi > spec.knob.max) {
        s.done = true;
        c.status = CandidateOutcome::Status::kNeverMeets;
        continue;
      }
      // Answer found; unless the bound alone ruled out the value below it, it stands.
      if (c.bound.applies && s.hi == c.bound.min_replicas && s.hi - 1 >= spec.knob.min && !c.evaluated.count(s.hi - 1)) {
        s.verify_bound = true;
        continue;
      }
      s.done = true;
      c.status = CandidateOutcome::Status::kMeets;
      c.answer = s.hi;
    }
  }
  return result;
}

}  // namespace cs
