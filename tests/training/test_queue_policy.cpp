#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <vector>

#include "sim/training/easy_backfill_policy.hpp"
#include "sim/training/priority_preemptive_policy.hpp"
#include "sim/training/queue_policy.hpp"

using namespace cs;
using namespace cs::time_literals;

namespace {

// A cluster as a policy sees it, without a scheduler: jobs take the lowest free GPUs when
// started and give them back when evicted; expected run times are set by the test.
class FakeCluster final : public SchedulerContext {
 public:
  explicit FakeCluster(int nodes) : inventory_(ClusterInventory::uniform(nodes, 8, nodes)) {}

  std::uint64_t add(int gpus, Time run, int priority = 0, bool preemptible = false, bool single_node = false) {
    ClusterJobSpec s;
    s.name = "j" + std::to_string(specs_.size() + 1);
    s.gpus = gpus;
    s.single_node = single_node;
    s.duration = run;
    s.priority = priority;
    s.preemptible = preemptible;
    s.submit = Time::s(static_cast<std::int64_t>(specs_.size()));
    const std::uint64_t id = specs_.size() + 1;
    specs_[id] = s;
    run_[id] = run;
    return id;
  }
  void run_now(std::uint64_t id) { REQUIRE(try_start(id, -1)); }

  Time now() const override { return Time(); }
  const ClusterInventory& inventory() const override { return inventory_; }
  const ClusterJobSpec& spec_of(std::uint64_t id) const override { return specs_.at(id); }
  std::span<const std::uint64_t> running_ids() const override { return running_; }
  std::span<const GpuIndex> gpus_of(std::uint64_t id) const override { return gpus_.at(id); }
  std::span<const int> nodes_of(std::uint64_t id) const override { return nodes_.at(id); }
  Time started_at(std::uint64_t) const override { return Time(); }
  bool try_start(std::uint64_t id, int exclude_node) override {
    std::vector<GpuIndex> take;
    for (GpuIndex g = 0; g < inventory_.gpu_count() && static_cast<int>(take.size()) < specs_.at(id).gpus; ++g)
      if (inventory_.milli_free(g) == ClusterInventory::kMilliPerGpu && inventory_.node_of(g) != exclude_node)
        take.push_back(g);
    if (static_cast<int>(take.size()) < specs_.at(id).gpus) return false;
    for (GpuIndex g : take) inventory_.allocate(g, ClusterInventory::kMilliPerGpu);
    std::vector<int> nodes;
    for (GpuIndex g : take)
      if (nodes.empty() || nodes.back() != inventory_.node_of(g)) nodes.push_back(inventory_.node_of(g));
    gpus_[id] = take;
    nodes_[id] = nodes;
    running_.push_back(id);
    started.push_back(id);
    return true;
  }
  void retime_running() override {}
  std::optional<Time> expected_run_time(std::uint64_t id) const override { return run_.at(id); }
  void preempt(std::uint64_t id) override {
    for (GpuIndex g : gpus_.at(id)) inventory_.release(g, ClusterInventory::kMilliPerGpu);
    gpus_.erase(id);
    nodes_.erase(id);
    running_.erase(std::find(running_.begin(), running_.end(), id));
    preempted.push_back(id);
    if (queue) queue->insert(policy->key(specs_.at(id), id));
  }

  std::vector<std::uint64_t> started, preempted;
  JobQueue* queue = nullptr;
  QueuePolicy* policy = nullptr;

 private:
  ClusterInventory inventory_;
  std::map<std::uint64_t, ClusterJobSpec> specs_;
  std::map<std::uint64_t, Time> run_;
  std::map<std::uint64_t, std::vector<GpuIndex>> gpus_;
  std::map<std::uint64_t, std::vector<int>> nodes_;
  std::vector<std::uint64_t> running_;
};

JobQueue queue_of(const QueuePolicy& policy, const FakeCluster& cluster, std::initializer_list<std::uint64_t> ids) {
  JobQueue q;
  for (std::uint64_t id : ids) q.insert(policy.key(cluster.spec_of(id), id));
  return q;
}

// One pass of `policy` over `q`, evicted jobs going back into `q`; `started` then lists only
// what this pass started.
void preempting_pass(QueuePolicy& policy, FakeCluster& cluster, JobQueue& q) {
  cluster.queue = &q;
  cluster.policy = &policy;
  cluster.started.clear();
  policy.pass(q, cluster);
}

}  // namespace

TEST_CASE("fifo starts jobs in order and a blocked head stops everyone behind it") {
  FakeCluster cluster(1);  // 8 GPUs
  const auto policy = make_queue_policy(SchedulingPolicy::kFifo);
  const auto a = cluster.add(4, 10_s);
  const auto big = cluster.add(16, 10_s);
  const auto small = cluster.add(2, 10_s);
  JobQueue q = queue_of(*policy, cluster, {a, big, small});
  policy->pass(q, cluster);
  CHECK(cluster.started == std::vector<std::uint64_t>{a});
  CHECK(q.size() == 2);  // the 2-GPU job fits but may not overtake
}

TEST_CASE("easy backfill starts a later job only when it cannot delay the head's reservation") {
  FakeCluster cluster(1);
  const auto policy = make_queue_policy(SchedulingPolicy::kEasyBackfill);
  const auto running = cluster.add(6, 100_s);
  cluster.run_now(running);  // 2 GPUs free until 100 s
  const auto head = cluster.add(8, 10_s);   // reservation at 100 s, no GPU spare then
  const auto long_job = cluster.add(2, 200_s);  // would hold 2 GPUs past 100 s
  const auto short_job = cluster.add(2, 50_s);  // done by 50 s
  JobQueue q = queue_of(*policy, cluster, {head, long_job, short_job});
  cluster.started.clear();
  policy->pass(q, cluster);
  CHECK(cluster.started == std::vector<std::uint64_t>{short_job});
  CHECK(q.size() == 2);
}

TEST_CASE("priority with preemption evicts the lower-priority preemptible job the head needs, and only it") {
  FakeCluster cluster(1);
  const auto policy = make_queue_policy(SchedulingPolicy::kPriorityPreemptive);
  const auto keep = cluster.add(4, 100_s, 0, false);  // not preemptible
  const auto victim = cluster.add(4, 100_s, 0, true);
  cluster.run_now(keep);
  cluster.run_now(victim);
  const auto urgent = cluster.add(4, 10_s, 5);
  JobQueue q = queue_of(*policy, cluster, {urgent});
  preempting_pass(*policy, cluster, q);
  CHECK(cluster.preempted == std::vector<std::uint64_t>{victim});
  CHECK(cluster.started == std::vector<std::uint64_t>{urgent});
  REQUIRE(q.size() == 1);  // the victim waits again
  CHECK(q.begin()->id == victim);
}

TEST_CASE("a blocked single-node head evicts on the node where the fewest victims free enough GPUs") {
  // Node 0: a (4 GPUs) and b (4); node 1: c (6) and d (2); all preemptible at one priority and
  // start time, so the eviction order is the highest id first: d, c, b, a. A 4-GPU single-node
  // head needs d and c on node 1 (2 + 6) but only b on node 0: it evicts b, not the first
  // victim in order.
  FakeCluster cluster(2);
  const auto policy = make_queue_policy(SchedulingPolicy::kPriorityPreemptive);
  const auto a = cluster.add(4, 100_s, 0, true);
  const auto b = cluster.add(4, 100_s, 0, true);
  const auto c = cluster.add(6, 100_s, 0, true);
  const auto d = cluster.add(2, 100_s, 0, true);
  for (auto id : {a, b, c, d}) cluster.run_now(id);
  REQUIRE(cluster.nodes_of(b).front() == 0);
  REQUIRE(cluster.nodes_of(d).front() == 1);
  const auto head = cluster.add(4, 10_s, 5, false, true);
  JobQueue q = queue_of(*policy, cluster, {head});
  preempting_pass(*policy, cluster, q);
  CHECK(cluster.preempted == std::vector<std::uint64_t>{b});
  CHECK(cluster.started == std::vector<std::uint64_t>{head});
  CHECK(cluster.gpus_of(head).front() == 4);  // b's GPUs 4..7 on node 0
}

TEST_CASE("a blocked gang head evicts the lowest priority first, across nodes, until enough GPUs are free") {
  // Node 0: hi (8 GPUs, priority 1); node 1: lo (4 GPUs, priority 0) and 4 free GPUs. A
  // 12-GPU head of priority 5: 4 free + lo's 4 = 8 < 12, so hi goes too (8 + 8 = 16).
  FakeCluster cluster(2);
  const auto policy = make_queue_policy(SchedulingPolicy::kPriorityPreemptive);
  const auto hi = cluster.add(8, 100_s, 1, true);
  const auto lo = cluster.add(4, 100_s, 0, true);
  for (auto id : {hi, lo}) cluster.run_now(id);
  REQUIRE(cluster.inventory().free_whole_gpus() == 4);
  const auto head = cluster.add(12, 10_s, 5);
  JobQueue q = queue_of(*policy, cluster, {head});
  preempting_pass(*policy, cluster, q);
  CHECK(cluster.preempted == std::vector<std::uint64_t>{lo, hi});
  CHECK(cluster.started == std::vector<std::uint64_t>{head});
}
