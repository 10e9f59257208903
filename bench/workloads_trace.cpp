// Streams the Azure conversation trace through trace shaping and reports how fast requests
// come out and that memory stays flat. Default: the trace replicated 100x on average (a
// profile rising linearly from 50x to 150x across its 3,502 s, so the fractional-copy path
// runs too): about 1.94 million requests. `--day`: the trace looped over 24 h under the
// launch_day preset (about 3 million). Usage: bench_workloads [--day] [trace.csv]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "workloads/csv_request_trace.hpp"
#include "workloads/demand_presets.hpp"
#include "workloads/demand_shaped_source.hpp"
#include "workloads/looped_source.hpp"

namespace {

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is KiB on Linux
}

}  // namespace

int main(int argc, char** argv) {
  bool day = false;
  std::string path = std::string(CLUSTERSIM_TRACE_DIR) + "/AzureLLMInferenceTrace_conv.csv";
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--day") == 0) day = true;
    else path = argv[i];
  }
  using namespace cs;
  auto open = [path] { return std::make_unique<CsvRequestTrace>(path, azure_llm_trace_mapping()); };
  DemandShapingSpec shaping;
  std::unique_ptr<RequestSource> inner;
  if (day) {
    inner = std::make_unique<LoopedSource>(open, 25);  // 25 passes of ~58 min cover 24 h
    shaping.demand = launch_day_profile();
  } else {
    inner = open();
    shaping.demand = DemandProfile({{Time(), 50.0}, {Time::s(3502), 150.0}});
  }
  DemandShapedSource source(std::move(inner), shaping, 2024);
  const Time horizon = day ? Time::s(86400) : Time::max();

  const auto t0 = std::chrono::steady_clock::now();
  std::uint64_t requests = 0;
  std::int64_t input_tokens = 0;
  Time last;
  while (auto r = source.next()) {
    if (r->arrival >= horizon) break;
    ++requests;
    input_tokens += r->input_tokens;
    last = r->arrival;
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("workloads trace %s: %llu requests (%llu originals) over %.0f s simulated, %lld input tokens\n",
              day ? "looped over a day under launch_day" : "replicated 100x (50x..150x ramp)",
              static_cast<unsigned long long>(requests), static_cast<unsigned long long>(source.originals_read()),
              last.seconds(), static_cast<long long>(input_tokens));
  std::printf("wall %.3f s  %.2f M requests/s  peak RSS %.1f MiB\n", wall, static_cast<double>(requests) / wall / 1e6,
              peak_rss_mib());
  return 0;
}
