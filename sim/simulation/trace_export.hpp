#pragma once
// `clustersim run --trace-events FILE.json`: what the models did, as a Chrome / Perfetto trace
// (sim/io/trace_event_writer.hpp), bounded by a time window, a sample of requests and a cap on
// events. Tracks (process = a group, thread = a track):
//   serving <pool>      one track per replica: its iterations ("prefill", "decode" or
//                       "prefill+decode"; args: batch size, prefill tokens, decoding sequences),
//                       and counters queue_depth and replicas (by state) on the sample clock
//   requests <pool>     one track per sampled request: queued, prefill (to the first token),
//                       decode (to the last); a rejected or dropped request is one slice
//   training jobs       one track per job: each iteration of a model job as its phases in the
//                       order the model sums them (compute, tp, pp, bubble, dp, optimizer),
//                       from the job's current breakdown; a fixed-work job as one "running" slice
//   collectives         one track per collective job (its GPU group): each collective as a slice
// A training job's iterations are laid out back to back from its start, with the breakdown in
// force at each sample tick; checkpoint pauses are not drawn, and an iteration cut short by a
// failure between two ticks is not drawn either.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/engine/engine.hpp"
#include "sim/engine/time.hpp"
#include "sim/training/job_speed_model.hpp"

namespace cs {

class TraceEventWriter;
class ServingCluster;
class NetworkWorkload;
class TrainingSystem;

struct TraceExportOptions {
  std::filesystem::path file;
  Time from;                            // the window's start (simulated time)
  Time to = Time::max();                // and end
  double request_fraction = 0.01;       // requests drawn, by a hash of their id (0 .. 1)
  std::uint64_t max_events = 2'000'000;  // a cap on the file (~200 MB); the rest is counted
};

class TraceExport {
 public:
  // Opens the file (throws std::invalid_argument for a refused path). The models are those of
  // the run (any may be null); `sample_interval` is the counters' clock.
  TraceExport(Engine& engine, const TraceExportOptions& options, ServingCluster* serving, NetworkWorkload* network,
              TrainingSystem* training, Time sample_interval);
  ~TraceExport();
  // After the models started: names the tracks and starts the counter clock.
  void start(Time horizon);
  // At the horizon: draws what is still open and writes the file.
  void commit(Time horizon);

 private:
  struct JobTrack {
    Time next_iteration;  // start of the next iteration to draw
    Time segment_start;
    bool model = false;   // timed by the iteration model (has a breakdown)
    IterationBreakdown breakdown;
  };
  void slice(int pid, std::int64_t tid, const std::string& name, const char* category, Time start, Time end,
             nlohmann::json args = nullptr);
  bool in_window(Time start, Time end) const { return end >= options_.from && start <= options_.to; }
  void connect_replicas(std::size_t pool);
  void tick(Time horizon);
  // A model job's whole iterations up to `until` (within the window).
  void draw_job(std::uint64_t id, JobTrack& track, Time until);
  // A job that stops: the rest of its iterations, or its one slice of fixed work.
  void finish_job(std::uint64_t id, JobTrack& track, Time until);

  Engine& engine_;
  TraceExportOptions options_;
  std::unique_ptr<TraceEventWriter> out_;
  ServingCluster* serving_;
  NetworkWorkload* network_;
  TrainingSystem* training_;
  Time sample_interval_;
  std::vector<std::size_t> replicas_connected_;  // per pool
  std::unordered_map<std::uint64_t, JobTrack> jobs_;
  std::uint64_t requests_drawn_ = 0;
};

}  // namespace cs
