// The build with MPI. Messages are JSON text: a point for a worker (tag kPoint), a result back
// (tag kResult), and an empty kStop. Waiting ranks poll with short sleeps instead of blocking
// in MPI, whose blocking calls spin a core: on an oversubscribed node that core belongs to a
// rank that is simulating.
#include <mpi.h>

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

#include "sim/planning/point_cluster.hpp"
#include "sim/planning/point_process.hpp"

namespace cs {

namespace {

constexpr int kPoint = 1, kResult = 2, kStop = 3;
constexpr auto kPollInterval = std::chrono::milliseconds(2);

std::string point_message(std::size_t id, const SweepPoint& p, const std::filesystem::path& folder) {
  nlohmann::json j;
  j["id"] = id;
  j["folder"] = folder.string();
  j["scenario"] = p.scenario.string();
  j["fixed"] = p.fixed;
  j["settings"] = p.settings;
  j["seed"] = p.seed ? nlohmann::json(*p.seed) : nlohmann::json();
  j["worst_window_ns"] = p.worst_window.count_ns();
  return j.dump();
}

std::string receive_text(int source, int tag, MPI_Status& status) {
  int size = 0;
  MPI_Get_count(&status, MPI_CHAR, &size);
  std::string text(static_cast<std::size_t>(size), '\0');
  MPI_Recv(text.data(), size, MPI_CHAR, source, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return text;
}

void send_text(const std::string& text, int dest, int tag) {
  MPI_Send(text.data(), static_cast<int>(text.size()), MPI_CHAR, dest, tag, MPI_COMM_WORLD);
}

// Waits for any message (or one from `source`) without spinning a core.
MPI_Status probe(int source) {
  MPI_Status status;
  int flag = 0;
  for (;;) {
    MPI_Iprobe(source, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status);
    if (flag) return status;
    std::this_thread::sleep_for(kPollInterval);
  }
}

// Rank 0: every other rank is one slot.
class MpiLauncher : public PointLauncher {
 public:
  explicit MpiLauncher(int ranks) {
    for (int r = ranks - 1; r >= 1; --r) idle_.push_back(r);
  }
  int slots() const override { return static_cast<int>(idle_.size() + busy_.size()); }
  void launch(std::size_t id, const SweepPoint& p, const std::filesystem::path& folder) override {
    const int rank = idle_.back();
    idle_.pop_back();
    busy_.emplace(rank, Busy{id, p, folder});
    send_text(point_message(id, p, folder), rank, kPoint);
  }
  std::pair<std::size_t, PointResult> wait_one() override {
    MPI_Status status = probe(MPI_ANY_SOURCE);
    const int rank = status.MPI_SOURCE;
    const std::string text = receive_text(rank, kResult, status);
    const auto it = busy_.find(rank);
    if (it == busy_.end()) throw std::logic_error("MPI result from a rank with no point");
    Busy b = std::move(it->second);
    busy_.erase(it);
    idle_.push_back(rank);
    PointResult r = PointResult::from_json(text);
    // Rank 0 keeps the record too, so resuming needs only rank 0's view of the folder.
    write_point_result(b.folder, b.point, r);
    return {b.id, std::move(r)};
  }

 private:
  struct Busy {
    std::size_t id;
    SweepPoint point;
    std::filesystem::path folder;
  };
  std::vector<int> idle_;
  std::map<int, Busy> busy_;
};

void serve_points() {
  for (;;) {
    MPI_Status status = probe(0);
    const std::string text = receive_text(0, status.MPI_TAG, status);
    if (status.MPI_TAG == kStop) return;
    const auto j = nlohmann::json::parse(text);
    SweepPoint p;
    p.scenario = j.at("scenario").get<std::string>();
    p.fixed = j.at("fixed").get<std::vector<Setting>>();
    p.settings = j.at("settings").get<std::vector<Setting>>();
    if (!j.at("seed").is_null()) p.seed = j.at("seed").get<std::uint64_t>();
    p.worst_window = Time::ns(j.at("worst_window_ns").get<std::int64_t>());
    const PointResult r = run_point_isolated(p, j.at("folder").get<std::string>());
    send_text(r.json(), 0, kResult);
  }
}

class MpiSession {
 public:
  MpiSession() { MPI_Init(nullptr, nullptr); }
  ~MpiSession() { MPI_Finalize(); }
};

}  // namespace

int run_with_point_launcher(int jobs, const std::function<int(PointLauncher&)>& command) {
  if (!launched_by_mpi()) {
    LocalLauncher local(jobs);
    return command(local);
  }
  MpiSession session;
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size == 1) {
    LocalLauncher local(jobs);
    return command(local);
  }
  if (rank != 0) {
    serve_points();
    return 0;
  }
  int status = 0;
  try {
    MpiLauncher launcher(size);
    status = command(launcher);
  } catch (...) {
    for (int r = 1; r < size; ++r) send_text("", r, kStop);
    throw;
  }
  for (int r = 1; r < size; ++r) send_text("", r, kStop);
  return status;
}

}  // namespace cs
