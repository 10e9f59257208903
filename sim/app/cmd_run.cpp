#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "sim/app/cli_support.hpp"
#include "sim/app/commands.hpp"
#include "sim/app/json_output.hpp"
#include "sim/app/progress_line.hpp"
#include "sim/app/scenario_options.hpp"
#include "sim/io/run_file.hpp"
#include "sim/scenario/quantity.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/simulation/simulation.hpp"

namespace cs {

namespace {

using SummaryValues = std::vector<std::pair<std::string, std::variant<double, std::int64_t, std::string>>>;

void print_summary_json(const Scenario& s, const RunOptions& run, const RunResult& r) {
  JsonObject summary;
  for (const auto& [name, value] : r.summary_values)
    std::visit([&summary, &name = name](const auto& v) { summary.add(name, v); }, value);
  JsonObject j;
  j.add("scenario", s.name).add("output", run.output.string()).add("seed", s.seed).add("events", r.events);
  j.add("wall_s", r.wall_s).add("summary", std::move(summary));
  j.print(std::cout);
}

// name,value rows; numbers at full precision (%.17g round-trips a double), text quoted.
void write_summary_csv(const std::filesystem::path& file, const SummaryValues& values) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + file.string());
  out << "name,value\n";
  for (const auto& [name, value] : values) {
    out << name << ',';
    if (const auto* d = std::get_if<double>(&value)) {
      char text[32];
      std::snprintf(text, sizeof text, "%.17g", *d);
      out << text;
    } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
      out << *i;
    } else {
      std::string quoted = std::get<std::string>(value);
      for (std::size_t p = 0; (p = quoted.find('"', p)) != std::string::npos; p += 2) quoted.insert(p, 1, '"');
      out << '"' << quoted << '"';
    }
    out << '\n';
  }
  if (!out.flush()) throw std::runtime_error("cannot write " + file.string());
}

// An output named on the command line, refused before anything is loaded or simulated.
std::filesystem::path output_path(const po::variables_map& vm, const char* option) {
  const std::filesystem::path p = vm[option].as<std::string>();
  try {
    check_output_path(p);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--") + option + ": " + e.what());
  }
  return p;
}

Time duration_option(const po::variables_map& vm, const char* option) {
  try {
    return parse_duration(vm[option].as<std::string>());
  } catch (const QuantityError& e) {
    throw UsageError(std::string("--") + option + ": " + e.what());
  }
}

}  // namespace

int cmd_run(const std::vector<std::string>& args) {
  po::options_description opts("Options");
  add_scenario_options(opts);
  opts.add_options()("output,o", po::value<std::string>(), "HDF5 file to write (default out/<scenario name>.h5)")(
      "quiet,q", "print nothing but errors")("json", "print the summary as one JSON object instead of text")(
      "summary-csv", po::value<std::string>(), "also write the summary to this CSV file (name,value)")(
      "trace-events", po::value<std::string>(),
      "also write a Chrome/Perfetto trace (Trace Event Format JSON) to this file")(
      "trace-from", po::value<std::string>(), "trace window start, a duration (default 0 s)")(
      "trace-to", po::value<std::string>(), "trace window end, a duration (default the horizon)")(
      "trace-requests", po::value<double>(), "fraction of requests traced, 0 to 1 (default 0.01)")(
      "trace-max-events", po::value<std::uint64_t>(), "cap on trace events; the rest are counted (default 2000000)");
  const auto vm = parse_command_line("run", args, opts, scenario_positional());
  if (vm.count("help")) {
    std::cout << help_text("clustersim run SCENARIO [-o OUT.h5] [--seed N] [--set path=value]... [--quiet] [--json]\n"
                           "                      [--summary-csv FILE] [--trace-events FILE.json [--trace-from T]\n"
                           "                      [--trace-to T] [--trace-requests F]]",
                           "Simulates the scenario up to its horizon and writes utilization, latency and cost\n"
                           "timelines, per-item tables and a summary to one HDF5 file. The file appears under\n"
                           "its name only when the run completed (it is written as OUT.h5.partial first).\n"
                           "--trace-events writes what the models did for ui.perfetto.dev or chrome://tracing.\n"
                           "Exit status: 0 done, 1 simulation error, 2 bad scenario or usage.",
                           opts,
                           "  clustersim run configs/scenarios/default.yaml\n"
                           "  clustersim run configs/scenarios/default.yaml -o out/x.h5 --seed 7 \\\n"
                           "      --set queueing.servers=64 --set simulation.horizon=\"4 h\"\n"
                           "  clustersim run configs/scenarios/launch_day.yaml --trace-events out/launch.json \\\n"
                           "      --trace-from \"2 h\" --trace-to \"2 h 5 min\" --trace-requests 0.05\n");
    return kExitOk;
  }
  if (!vm.count("scenario")) throw UsageError("missing the scenario file (see: clustersim run --help)");
  RunOptions run;
  if (vm.count("output")) run.output = output_path(vm, "output");
  std::optional<std::filesystem::path> summary_csv;
  if (vm.count("summary-csv")) summary_csv = output_path(vm, "summary-csv");
  if (vm.count("trace-events")) {
    TraceExportOptions t;
    t.file = output_path(vm, "trace-events");
    if (vm.count("trace-from")) t.from = duration_option(vm, "trace-from");
    if (vm.count("trace-to")) t.to = duration_option(vm, "trace-to");
    if (t.to < t.from) throw UsageError("--trace-to comes before --trace-from");
    t.request_fraction = option_or<double>(vm, "trace-requests", t.request_fraction);
    if (!(t.request_fraction >= 0 && t.request_fraction <= 1))
      throw UsageError("--trace-requests: expected a fraction from 0 to 1");
    t.max_events = option_or<std::uint64_t>(vm, "trace-max-events", t.max_events);
    run.trace_events = t;
  } else if (vm.count("trace-from") || vm.count("trace-to") || vm.count("trace-requests") ||
             vm.count("trace-max-events")) {
    throw UsageError("--trace-from, --trace-to, --trace-requests and --trace-max-events go with --trace-events");
  }

  const std::filesystem::path file = vm["scenario"].as<std::string>();
  const Scenario scenario = load_scenario(file, scenario_load_options(vm));
  for (const std::string& w : scenario.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  const bool quiet = vm.count("quiet") > 0;
  const bool json = vm.count("json") > 0;
  if (run.output.empty()) run.output = std::filesystem::path("out") / (scenario.name + ".h5");
  run.command_line = "clustersim run";
  for (const auto& a : args) run.command_line += " " + a;
  ProgressLine progress(!quiet && !json);
  run.progress = [&progress](const ProgressReport& r) { progress.update(r); };

  const RunResult result = run_scenario(scenario, run);
  progress.finish();  // the progress line's newline comes before anything printed after it
  for (const std::string& w : result.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  if (summary_csv) write_summary_csv(*summary_csv, result.summary_values);
  if (json) {
    print_summary_json(scenario, run, result);
  } else if (!quiet) {
    std::printf("%s: simulated %s in %.2f s wall (%llu events)\n", scenario.name.c_str(),
                format_duration(scenario.simulation.horizon).c_str(), result.wall_s,
                static_cast<unsigned long long>(result.events));
    for (const auto& [name, value] : result.summary) std::printf("  %-28s %s\n", name.c_str(), value.c_str());
    std::printf("wrote %s\n", run.output.string().c_str());
    if (run.trace_events) std::printf("wrote %s\n", run.trace_events->file.string().c_str());
  }
  return kExitOk;
}

}  // namespace cs
