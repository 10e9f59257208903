#include "sim/simulation/trace_export.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "sim/io/trace_event_writer.hpp"
#include "sim/network/network_workload.hpp"
#include "sim/serving/replica.hpp"
#include "sim/simulation/serving_cluster.hpp"
#include "sim/simulation/training_system.hpp"

namespace cs {

namespace {

// Process ids: serving pool i is 1 + i, its requests 1001 + i; training 2001, collectives 3001.
constexpr int kServingPid = 1, kRequestsPid = 1001, kTrainingPid = 2001, kCollectivesPid = 3001;

// A uniform draw in [0, 1) from a request id (splitmix64's finaliser): the same requests are
// drawn in every run, and a larger fraction draws a superset.
double id_draw(std::uint64_t id) {
  std::uint64_t z = id + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1p-53;
}

const char* status_name(RequestStatus s) {
  switch (s) {
    case RequestStatus::kCompleted: return "completed";
    case RequestStatus::kRejected: return "rejected";
    case RequestStatus::kDropped: return "dropped";
    case RequestStatus::kUnfinished: return "unfinished";
  }
  return "?";
}

}  // namespace

void TraceExport::slice(int pid, std::int64_t tid, const std::string& name, const char* category, Time start, Time end,
                        nlohmann::json args) {
  out_->complete(pid, tid, name, category, start.count_ns(), end.count_ns(), std::move(args));
}

TraceExport::TraceExport(Engine& engine, const TraceExportOptions& options, ServingCluster* serving,
                         NetworkWorkload* network, TrainingSystem* training, Time sample_interval)
    : engine_(engine),
      options_(options),
      out_(std::make_unique<TraceEventWriter>(options.file, options.max_events)),
      serving_(serving),
      network_(network),
      training_(training),
      sample_interval_(sample_interval) {
  if (serving_) {
    replicas_connected_.assign(serving_->size(), 0);
    for (std::size_t i = 0; i < serving_->size(); ++i) {
      RequestRouter& router = serving_->pool(i).router();
      const int pid = kRequestsPid + static_cast<int>(i);
      router.on_replica_state.connect([this, i](const Replica&, ReplicaState) { connect_replicas(i); });
      router.on_request_done.connect([this, pid](const RequestOutcome& o) {
        if (id_draw(o.id) >= options_.request_fraction || !in_window(o.arrival, o.arrival)) return;
        ++requests_drawn_;
        out_->thread_name(pid, static_cast<std::int64_t>(o.id), "request " + std::to_string(o.id));
        const auto tid = static_cast<std::int64_t>(o.id);
        const nlohmann::json args = {{"input_tokens", o.input_tokens},
                                     {"output_tokens", o.output_tokens},
                                     {"replica", o.replica == kNoReplica ? -1 : static_cast<std::int64_t>(o.replica)},
                                     {"status", status_name(o.status)},
                                     {"preemptions", o.preemptions}};
        const Time end = o.finish.value_or(engine_.now());
        if (!o.first_scheduled) {  // never computed: rejected, dropped or still queued
          slice(pid, tid, o.status == RequestStatus::kUnfinished ? "queued" : status_name(o.status),
                         "request", o.arrival, end, args);
          return;
        }
        slice(pid, tid, "queued", "request", o.arrival, *o.first_scheduled, args);
        const Time first = o.first_token.value_or(end);
        slice(pid, tid, "prefill", "request", *o.first_scheduled, first);
        if (o.first_token) slice(pid, tid, "decode", "request", *o.first_token, end);
      });
    }
  }
  if (network_) {
    network_->on_collective.connect([this](const CollectiveRecord& r, std::size_t job) {
      if (!in_window(r.start, r.end)) return;
      slice(kCollectivesPid, static_cast<std::int64_t>(job), std::string(to_string(r.op)), "collective",
                     r.start, r.end,
                     {{"bytes", r.bytes},
                      {"algorithm", std::string(to_string(r.algorithm))},
                      {"ranks", r.ranks},
                      {"busbw_bytes_per_s", r.busbw_bytes_per_s()}});
    });
  }
  if (training_) {
    ClusterScheduler& s = training_->scheduler();
    s.on_job_started.connect([this](const ClusterJobRecord& r) {
      out_->thread_name(kTrainingPid, static_cast<std::int64_t>(r.id), r.name);
      JobTrack& track = jobs_[r.id];
      track.next_iteration = track.segment_start = engine_.now();
      draw_job(r.id, track, engine_.now());  // picks up the breakdown, draws nothing yet
    });
    auto stop = [this](const ClusterJobRecord& r) {
      const auto it = jobs_.find(r.id);
      if (it == jobs_.end()) return;
      finish_job(r.id, it->second, engine_.now());
      jobs_.erase(it);
    };
    s.on_job_finished.connect(stop);
    s.on_job_preempted.connect(stop);
  }
}

TraceExport::~TraceExport() = default;

void TraceExport::connect_replicas(std::size_t pool) {
  RequestRouter& router = serving_->pool(pool).router();
  const int pid = kServingPid + static_cast<int>(pool);
  for (std::size_t& k = replicas_connected_[pool]; k < router.replicas().size(); ++k) {
    Replica& replica = *router.replicas()[k];
    out_->thread_name(pid, replica.id(), "replica " + std::to_string(replica.id()));
    replica.on_iteration_end.connect([this, pid](const IterationRecord& r) {
      if (!in_window(r.start, r.end)) return;
      const char* name = r.prefill_tokens == 0 ? "decode" : r.decode_sequences == 0 ? "prefill" : "prefill+decode";
      slice(pid, r.replica, name, "iteration", r.start, r.end,
            {{"batch_size", r.batch_size}, {"prefill_tokens", r.prefill_tokens}, {"decode_sequences", r.decode_sequences}});
    });
  }
}

void TraceExport::start(Time horizon) {
  if (serving_) {
    for (std::size_t i = 0; i < serving_->size(); ++i) {
      const std::string& name = serving_->pool(i).spec().router.name;
      out_->process_name(kServingPid + static_cast<int>(i), "serving " + name);
      out_->process_name(kRequestsPid + static_cast<int>(i), "requests " + name);
      connect_replicas(i);
    }
  }
  if (training_) out_->process_name(kTrainingPid, "training jobs");
  if (network_ && !network_->spec().jobs.empty()) {
    out_->process_name(kCollectivesPid, "collectives");
    for (std::size_t j = 0; j < network_->spec().jobs.size(); ++j)
      out_->thread_name(kCollectivesPid, static_cast<std::int64_t>(j), network_->spec().jobs[j].name);
  }
  const Time first = std::max(options_.from, Time());
  if (first <= std::min(options_.to, horizon))
    engine_.schedule_at(first, [this, horizon] { tick(horizon); }, Priority::kObserve);
}

void TraceExport::tick(Time horizon) {
  const Time now = engine_.now();
  if (serving_) {
    for (std::size_t i = 0; i < serving_->size(); ++i) {
      connect_replicas(i);
      const RequestRouter& router = serving_->pool(i).router();
      const int pid = kServingPid + static_cast<int>(i);
      out_->counter(pid, "queue_depth", now.count_ns(), {{"queued", router.queued()}});
      out_->counter(pid, "replicas", now.count_ns(),
                    {{"booting", router.count_in(ReplicaState::kProvisioning) +
                                     router.count_in(ReplicaState::kLoadingWeights)},
                     {"ready", router.count_in(ReplicaState::kReady)},
                     {"draining", router.count_in(ReplicaState::kDraining)}});
    }
  }
  for (auto& [id, track] : jobs_) draw_job(id, track, now);
  const Time next = now + sample_interval_;
  if (next <= std::min(options_.to, horizon) && !out_->full())
    engine_.schedule_at(next, [this, horizon] { tick(horizon); }, Priority::kObserve);
}

void TraceExport::draw_job(std::uint64_t id, JobTrack& track, Time until) {
  const auto tid = static_cast<std::int64_t>(id);
  const Time end = std::min(until, options_.to);
  // The breakdown in force now; a job that just stopped keeps the last one seen.
  if (const IterationBreakdown* now = training_->scheduler().iteration_breakdown(id)) {
    track.breakdown = *now;
    track.model = true;
  }
  if (!track.model || !(track.breakdown.total_s() > 0)) return;
  const IterationBreakdown* b = &track.breakdown;
  const Time iteration = Time::ns(std::max<std::int64_t>(1, std::llround(b->total_s() * 1e9)));
  if (track.next_iteration < options_.from) {  // skip whole iterations before the window
    const std::int64_t skip = (options_.from - track.next_iteration).count_ns() / iteration.count_ns();
    track.next_iteration = track.next_iteration + Time::ns(skip * iteration.count_ns());
  }
  const std::pair<const char*, double> phases[] = {{"compute", b->compute_s},     {"tp", b->tp_comm_s},
                                                   {"pp", b->pp_comm_s},          {"bubble", b->bubble_s},
                                                   {"dp", b->dp_comm_exposed_s},  {"optimizer", b->optimizer_s}};
  while (track.next_iteration + iteration <= end && !out_->full()) {
    const Time start = track.next_iteration;
    slice(kTrainingPid, tid, "iteration", "training", start, start + iteration,
                   {{"iteration_s", b->total_s()}});
    Time at = start;
    for (const auto& [name, seconds] : phases) {
      if (!(seconds > 0)) continue;
      const Time next = at + Time::ns(std::llround(seconds * 1e9));
      slice(kTrainingPid, tid, name, "training", at, std::min(next, start + iteration));
      at = next;
    }
    track.next_iteration = start + iteration;
  }
}

void TraceExport::finish_job(std::uint64_t id, JobTrack& track, Time until) {
  if (track.model) {
    draw_job(id, track, until);
  } else if (in_window(track.segment_start, until)) {  // fixed work: one slice per run of the job
    slice(kTrainingPid, static_cast<std::int64_t>(id), "running", "training",
                   std::max(track.segment_start, options_.from), std::min(until, options_.to));
  }
}

void TraceExport::commit(Time horizon) {
  for (auto& [id, track] : jobs_) finish_job(id, track, horizon);
  out_->commit({{"tool", "clustersim"},
                {"window_from_s", options_.from.seconds()},
                {"window_to_s", std::min(options_.to, horizon).seconds()},
                {"request_fraction", options_.request_fraction},
                {"requests_drawn", requests_drawn_}});
}

}  // namespace cs
