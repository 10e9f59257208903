#include "sim/planning/capacity_plan_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace cs {

namespace {

struct Row {
  const CandidateOutcome* candidate;
  const ConfigOutcome* config;
};

std::string format(const char* f, double v) {
  if (std::isnan(v)) return "-";
  if (std::isinf(v)) return "inf";
  char buf[48];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

double worst(const ConfigOutcome& o, const std::string& name) {
  const auto it = o.worst.find(name);
  return it == o.worst.end() ? std::nan("") : it->second;
}

const SloBound& quality_bound(const CapacityPlanSpec& spec, const CapacityPlanResult& r) {
  for (const auto& b : spec.slo)
    if (b.name == r.quality_slo) return b;
  return spec.slo.front();
}

// Cheapest first among those meeting every SLO: each candidate at its answer.
std::vector<Row> ranked(const CapacityPlanResult& r) {
  std::vector<Row> rows;
  for (const auto& c : r.candidates)
    if (c.status == CandidateOutcome::Status::kMeets) rows.push_back({&c, &c.evaluated.at(c.answer)});
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.config->cost_usd < b.config->cost_usd; });
  return rows;
}

// Configurations no other beats on both cost and the quality SLO, cheapest first.
std::vector<Row> pareto(const CapacityPlanSpec& spec, const CapacityPlanResult& r) {
  const SloBound& q = quality_bound(spec, r);
  const auto better = [&](double a, double b) { return q.at_most ? a < b : a > b; };
  std::vector<Row> all;
  for (const auto& c : r.candidates)
    for (const auto& [v, o] : c.evaluated)
      if (!std::isnan(worst(o, q.name))) all.push_back({&c, &o});
  std::stable_sort(all.begin(), all.end(), [&](const Row& a, const Row& b) {
    if (a.config->cost_usd != b.config->cost_usd) return a.config->cost_usd < b.config->cost_usd;
    return better(worst(*a.config, q.name), worst(*b.config, q.name));
  });
  std::vector<Row> front;
  for (const Row& row : all)
    if (front.empty() || better(worst(*row.config, q.name), worst(*front.back().config, q.name)))
      front.push_back(row);
  return front;
}

// For each candidate simulated, its best configuration that missed: the one just below its
// answer, or its largest when none met. Cheapest first.
std::vector<Row> rejected(const CapacityPlanResult& r) {
  std::vector<Row> rows;
  for (const auto& c : r.candidates) {
    const ConfigOutcome* best = nullptr;
    for (const auto& [v, o] : c.evaluated)
      if (!o.meets && (c.answer < 0 || v < c.answer)) best = &o;  // map order: the largest wins
    if (best) rows.push_back({&c, best});
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const Row& a, const Row& b) { return a.config->cost_usd < b.config->cost_usd; });
  return rows;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : "; ") + s;
  return out;
}

nlohmann::ordered_json config_json(const CapacityPlanSpec& spec, const Row& row) {
  nlohmann::ordered_json j;
  j["candidate"] = row.candidate->label;
  j["settings"] = row.candidate->settings;
  j["value"] = row.config->value;
  j["knob_paths"] = spec.knob.paths;
  j["meets"] = row.config->meets;
  j["cost_usd"] = row.config->cost_usd;
  j["usd_per_1k_tokens"] = row.config->usd_per_1k_tokens;
  j["gpus_peak"] = row.config->gpus;
  nlohmann::ordered_json w = nlohmann::ordered_json::object();
  for (const auto& b : spec.slo) {
    const double v = worst(*row.config, b.name);
    w[b.name] = std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(std::isnan(v) ? "nan" : "inf");
  }
  j["worst_over_seeds"] = w;
  j["violations"] = row.config->violations;
  j["run_files"] = row.config->run_files;
  return j;
}

}  // namespace

std::string capacity_plan_text(const CapacityPlanSpec& spec, const CapacityPlanResult& r) {
  std::string out;
  char line[512];
  const auto add = [&](const std::string& s) { out += s + "\n"; };
  std::string slo;
  for (const auto& b : spec.slo)
    slo += (slo.empty() ? "" : ", ") + b.name + (b.at_most ? " <= " : " >= ") +
           (b.unit == "%" ? format("%.2f%%", 100 * b.bound) : format(b.unit == "s" ? "%.3g s" : "%.4g", b.bound));
  add("SLOs (worst over " + std::to_string(std::max<std::size_t>(spec.candidates.seeds.size(), 1)) +
      " seed(s)): " + slo);
  if (r.peak.requests > 0) {
    std::snprintf(line, sizeof line,
                  "workload: %llu requests, mean %.0f in / %.0f out tokens, peak %.0f output tokens/s (%.0f s window)",
                  static_cast<unsigned long long>(r.peak.requests), r.peak.mean_input_tokens, r.peak.mean_output_tokens,
                  r.peak.peak_output_tokens_per_s, spec.worst_window.seconds());
    add(line);
  }
  std::size_t pruned = 0;
  for (const auto& c : r.candidates) pruned += c.status == CandidateOutcome::Status::kPruned;
  std::snprintf(line, sizeof line, "searched %zu candidates x %s in [%d, %d]: %zu pruned analytically, %zu points "
                "simulated in %d rounds",
                r.candidates.size(), spec.knob.paths.front().c_str(), spec.knob.min, spec.knob.max, pruned,
                r.points_run, r.rounds);
  add(line);
  for (const auto& c : r.candidates) {
    if (!c.bound.applies || c.status == CandidateOutcome::Status::kPruned) continue;
    std::snprintf(line, sizeof line,
                  "  analytical bound %-28s >= %d replicas (decode roofline %.0f output tokens/s each at batch %d)%s",
                  c.label.c_str(), c.bound.min_replicas, c.bound.replica_output_tokens_per_s, c.bound.batch,
                  c.answer >= 0 && c.answer < c.bound.min_replicas ? "; simulation found fewer enough" : "");
    add(line);
  }

  const SloBound& q = quality_bound(spec, r);
  const auto quality = [&](const ConfigOutcome& o) {
    return q.unit == "%" ? format("%.2f%%", 100 * worst(o, q.name)) : format("%.3g", worst(o, q.name));
  };
  const auto ranked_rows = ranked(r);
  add("\nCheapest configurations that meet every SLO:");
  if (ranked_rows.empty()) add("  none in the search space");
  else {
    std::string header = "  rank  candidate                              " + std::string("knob") +
                         "      GPUs     cost $   $/1k tok";
    for (const auto& b : spec.slo) {  // each column as wide as its SLO's name: never cut
      std::snprintf(line, sizeof line, " %*s", static_cast<int>(std::max<std::size_t>(b.name.size(), 12)),
                    b.name.c_str());
      header += line;
    }
    add(header);
    for (std::size_t i = 0; i < ranked_rows.size() && static_cast<int>(i) < spec.top; ++i) {
      const auto& [c, o] = ranked_rows[i];
      std::snprintf(line, sizeof line, "  %4zu  %-38s %5d %9s %10s %10s", i + 1, c->label.c_str(), o->value,
                    format("%.0f", o->gpus).c_str(), format("%.2f", o->cost_usd).c_str(),
                    format("%.4f", o->usd_per_1k_tokens).c_str());
      std::string row = line;
      for (const auto& b : spec.slo) {
        const double v = worst(*o, b.name);
        std::snprintf(line, sizeof line, " %*s", static_cast<int>(std::max<std::size_t>(b.name.size(), 12)),
                      (b.unit == "%" ? format("%.2f%%", 100 * v) : format(b.unit == "s" ? "%.3g s" : "%.4g", v)).c_str());
        row += line;
      }
      add(row);
    }
  }

  add("\nCost / " + q.name + " Pareto frontier (every configuration simulated):");
  for (const Row& row : pareto(spec, r)) {
    std::snprintf(line, sizeof line, "  $%10.2f  %-10s %s, %s=%d%s", row.config->cost_usd, quality(*row.config).c_str(),
                  row.candidate->label.c_str(), spec.knob.paths.front().c_str(), row.config->value,
                  row.config->meets ? "  (meets every SLO)" : "");
    add(line);
  }

  const auto rejected_rows = rejected(r);
  if (!rejected_rows.empty()) add("\nBest rejected configurations and what they missed:");
  for (std::size_t i = 0; i < rejected_rows.size() && static_cast<int>(i) < spec.top; ++i) {
    const auto& [c, o] = rejected_rows[i];
    std::snprintf(line, sizeof line, "  %s, %d: $%.2f: ", c->label.c_str(), o->value, o->cost_usd);
    add(line + joined(o->violations));
  }
  bool header = false;
  for (const auto& c : r.candidates) {
    if (c.status != CandidateOutcome::Status::kPruned) continue;
    if (!header) add("\nPruned without simulation:");
    header = true;
    add("  " + c.label + ": " + c.reason);
  }
  return out;
}

std::string capacity_plan_json(const CapacityPlanSpec& spec, const CapacityPlanResult& r) {
  nlohmann::ordered_json j;
  nlohmann::ordered_json slo = nlohmann::ordered_json::array();
  for (const auto& b : spec.slo)
    slo.push_back({{"name", b.name}, {"summary_key", b.summary_key}, {"bound", b.bound}, {"at_most", b.at_most}});
  j["slo"] = slo;
  j["seeds"] = spec.candidates.seeds;
  j["knob"] = {{"paths", spec.knob.paths}, {"min", spec.knob.min}, {"max", spec.knob.max}};
  j["workload"] = {{"requests", r.peak.requests},
                   {"mean_input_tokens", r.peak.mean_input_tokens},
                   {"mean_output_tokens", r.peak.mean_output_tokens},
                   {"peak_output_tokens_per_s", r.peak.peak_output_tokens_per_s}};
  j["points_simulated"] = r.points_run;
  j["rounds"] = r.rounds;
  nlohmann::ordered_json ranked_json = nlohmann::ordered_json::array();
  for (const Row& row : ranked(r)) ranked_json.push_back(config_json(spec, row));
  j["ranked"] = ranked_json;
  j["pareto_quality"] = r.quality_slo;
  nlohmann::ordered_json front = nlohmann::ordered_json::array();
  for (const Row& row : pareto(spec, r)) front.push_back(config_json(spec, row));
  j["pareto"] = front;
  nlohmann::ordered_json rej = nlohmann::ordered_json::array();
  for (const Row& row : rejected(r)) rej.push_back(config_json(spec, row));
  j["rejected"] = rej;
  nlohmann::ordered_json candidates = nlohmann::ordered_json::array();
  for (const auto& c : r.candidates) {
    nlohmann::ordered_json cj;
    cj["candidate"] = c.label;
    cj["settings"] = c.settings;
    cj["status"] = c.status == CandidateOutcome::Status::kPruned  ? "pruned"
                   : c.status == CandidateOutcome::Status::kMeets ? "meets"
                                                                  : "never_meets";
    cj["reason"] = c.reason;
    cj["answer"] = c.answer;
    cj["bound_min_replicas"] = c.bound.applies ? c.bound.min_replicas : 0;
    cj["bound_replica_output_tokens_per_s"] = c.bound.replica_output_tokens_per_s;
    cj["evaluated"] = nlohmann::ordered_json::array();
    for (const auto& [v, o] : c.evaluated) cj["evaluated"].push_back({{"value", v}, {"meets", o.meets}, {"cost_usd", o.cost_usd}});
    candidates.push_back(cj);
  }
  j["candidates"] = candidates;
  return j.dump(2);
}

}  // namespace cs
