#include <catch2/catch.hpp>

#include <map>
#include <optional>

#include "sim/training/cluster_accounting.hpp"
#include "sim/training/cluster_scheduler.hpp"

using namespace cs;
using namespace cs::time_literals;

namespace {

ClusterJobSpec fixed_job(std::string name, int gpus, Time duration) {
  ClusterJobSpec j;
  j.name = std::move(name);
  j.gpus = gpus;
  j.duration = duration;
  return j;
}

ClusterJobSpec preemptible(ClusterJobSpec j) {
  j.preemptible = true;
  return j;
}

// Collects the final record of each job, and fails on a second one.
struct Finals {
  std::map<std::uint64_t, ClusterJobRecord> by_id;
  int duplicates = 0;
  void listen(ClusterScheduler& s) {
    s.on_job_finished.connect([this](const ClusterJobRecord& r) {
      if (!by_id.emplace(r.id, r).second) ++duplicates;
    });
  }
};

// A scheduler on `nodes` 8-GPU nodes under one leaf, started by a test, with every job's final
// record collected.
struct SchedulerRun {
  ClusterScheduler& start(int nodes, SchedulingPolicy policy, JobSpeedModel* speed = nullptr, int spare_nodes = 0) {
    inventory.emplace(ClusterInventory::uniform(nodes, 8, nodes));
    inventory->reserve_spares(spare_nodes);
    scheduler.emplace(engine, *inventory, ClusterSchedulerSpec{policy, PlacementPolicy::kTopologyAware}, speed);
    accounting.emplace(engine, *scheduler);
    finals.listen(*scheduler);
    return *scheduler;
  }
  Engine engine{1};
  std::optional<ClusterInventory> inventory;
  std::optional<ClusterScheduler> scheduler;
  std::optional<ClusterAccounting> accounting;
  Finals finals;
};

// Iteration time = 1 s x the number of model jobs running together (they share one link),
// and it checks the GPUs it is handed are in node-major rank order.
class SharedLinkSpeed final : public JobSpeedModel {
 public:
  std::vector<IterationBreakdown> iterations(std::span<const RunningTrainingJob> running) override {
    ++calls;
    std::vector<IterationBreakdown> out(running.size());
    for (std::size_t i = 0; i < running.size(); ++i) {
      out[i].compute_s = static_cast<double>(running.size());
      if (static_cast<int>(running[i].gpus.size()) != running[i].spec->parallel.gpus()) bad_ranks = true;
      for (std::size_t r = 1; r < running[i].gpus.size(); ++r)
        if (running[i].gpus[r] <= running[i].gpus[r - 1]) bad_ranks = true;
    }
    return out;
  }
  int calls = 0;
  bool bad_ranks = false;
};

ClusterJobSpec model_job(std::string name, int tp, double iterations) {
  ClusterJobSpec j;
  j.name = std::move(name);
  j.gpus = tp;
  TrainingJobSpec t;
  t.name = j.name;
  t.global_batch_sequences = 1;
  t.sequence_length = 1;
  t.token_budget = iterations;  // one token per iteration
  t.parallel.tp = tp;
  j.training = t;
  return j;
}

}  // namespace

TEST_CASE_METHOD(SchedulerRun, "fifo keeps submission order and a 16-GPU gang waits for 16 free GPUs") {
  auto& s = start(2, SchedulingPolicy::kFifo);
  const auto a = s.submit(fixed_job("a", 8, 100_s));
  const auto b = s.submit(fixed_job("b", 16, 50_s));
  const auto c = s.submit(fixed_job("c", 1, 10_s));
  engine.run();
  s.finish();
  // a: 0-100 on one node. b needs both nodes: 100-150, although 8 GPUs sat idle meanwhile.
  // c fits at once but may not overtake b: 150-160.
  CHECK(finals.by_id.at(a).first_start == Time());
  CHECK(finals.by_id.at(a).end == 100_s);
  CHECK(finals.by_id.at(b).first_start == 100_s);
  CHECK(finals.by_id.at(b).end == 150_s);
  CHECK(finals.by_id.at(b).nodes_used == 2);
  CHECK(finals.by_id.at(c).first_start == 150_s);
  CHECK(finals.by_id.at(c).end == 160_s);
  CHECK(finals.by_id.at(c).queue_s == 150.0);
  CHECK(finals.duplicates == 0);
  const auto t = accounting->totals();
  CHECK(t.finished == 3);
  // Mean completion (100 + 150 + 160) / 3; mean queueing (0 + 100 + 150) / 3.
  CHECK(t.mean_completion_s == Approx(410.0 / 3));
  CHECK(t.mean_queue_s == Approx(250.0 / 3));
  // Allocated GPU-s: 8x100 + 16x50 + 1x10 = 1610 over 16 GPUs x 160 s.
  CHECK(t.gpu_utilization == Approx(1610.0 / 2560.0));
  CHECK(t.goodput == Approx(1.0));
}

TEST_CASE_METHOD(SchedulerRun, "easy backfill starts a short job early without delaying the head's reservation") {
  auto& s = start(2, SchedulingPolicy::kEasyBackfill);
  const auto a = s.submit(fixed_job("a", 8, 100_s));
  const auto b = s.submit(fixed_job("b", 16, 50_s));  // head: reservation at t = 100 (a ends)
  const auto c = s.submit(fixed_job("c", 1, 10_s));   // ends at 10 <= 100: backfilled at 0
  const auto d = s.submit(fixed_job("d", 2, 200_s));  // would end at 200 > 100, no GPUs spare at 100
  engine.run();
  s.finish();
  CHECK(finals.by_id.at(a).first_start == Time());
  CHECK(finals.by_id.at(c).first_start == Time());
  CHECK(finals.by_id.at(c).end == 10_s);
  CHECK(finals.by_id.at(b).first_start == 100_s);  // not delayed by the backfill
  CHECK(finals.by_id.at(b).end == 150_s);
  CHECK(finals.by_id.at(d).first_start == 150_s);
  CHECK(finals.by_id.at(d).end == 350_s);
}

TEST_CASE_METHOD(SchedulerRun, "easy backfill lets a long job use GPUs the head will not need") {
  auto& s = start(3, SchedulingPolicy::kEasyBackfill);
  s.submit(fixed_job("a", 16, 100_s));                // 0-100 on two nodes; 8 GPUs free
  const auto b = s.submit(fixed_job("b", 20, 50_s));  // head: at 100, 24 free, 4 spare
  const auto c = s.submit(fixed_job("c", 4, 500_s));  // uses 4 <= 4 spare GPUs: starts at 0
  const auto d = s.submit(fixed_job("d", 2, 500_s));  // no spare GPUs left: waits for b
  engine.run();
  s.finish();
  CHECK(finals.by_id.at(c).first_start == Time());
  CHECK(finals.by_id.at(b).first_start == 100_s);
  CHECK(finals.by_id.at(d).first_start == 150_s);
}

TEST_CASE_METHOD(SchedulerRun,
                 "a high-priority job preempts a preemptible one, which loses the work since its checkpoint") {
  auto& s = start(1, SchedulingPolicy::kPriorityPreemptive);
  int preempted = 0;
  s.on_job_preempted.connect([&](const ClusterJobRecord&) { ++preempted; });
  auto low = fixed_job("low", 8, 100_s);
  low.preemptible = true;
  low.checkpoint = {30_s, Time(), 5_s};
  const auto lo = s.submit(low);
  std::uint64_t hi = 0;
  engine.schedule_at(50_s, [&] {
    auto high = fixed_job("high", 8, 20_s);
    high.priority = 10;
    hi = s.submit(high);
  });
  engine.run();
  s.finish();
  // low: works 0-50, checkpoint at 30, preempted at 50: 20 s lost. high runs 50-70. low
  // restarts at 70, pays 5 s, works the remaining 70 s from 75 (checkpoints at 105 and 135
  // are instant): ends at 145.
  CHECK(preempted == 1);
  CHECK(finals.by_id.at(hi).first_start == 50_s);
  CHECK(finals.by_id.at(hi).end == 70_s);
  const auto& r = finals.by_id.at(lo);
  CHECK(r.end == 145_s);
  CHECK(r.preemptions == 1);
  CHECK(r.restarts == 1);
  CHECK(r.lost_work_s == 20.0);
  CHECK(r.useful_work_s == 100.0);
  CHECK(r.restart_s == 5.0);
  CHECK(r.held_s == 125.0);
  CHECK(r.queue_s == 20.0);
}

TEST_CASE_METHOD(SchedulerRun,
                 "a node failure sends its job back to the last checkpoint, with write and restart costs") {
  auto& s = start(2, SchedulingPolicy::kFifo);
  int failures_seen = 0;
  s.on_failure.connect([&](int node, bool, int jobs) {
    CHECK(node == 0);
    CHECK(jobs == 1);
    ++failures_seen;
  });
  auto j = fixed_job("train", 8, 100_s);
  j.checkpoint = {30_s, 2_s, 5_s};
  const auto id = s.submit(j);
  engine.schedule_at(50_s, [&] { s.node_down(0, true); });
  engine.run();
  s.finish();
  // Works 0-30, writes 30-32, works 32-50: node 0 fails, 18 s lost. Restarts at once on node
  // 1: 50-55 restart, then 70 s of work left: 55-85, write 85-87, 87-117, write 117-119,
  // 119-129 done.
  const auto& r = finals.by_id.at(id);
  CHECK(failures_seen == 1);
  CHECK(r.end == 129_s);
  CHECK(r.failures == 1);
  CHECK(r.lost_work_s == 18.0);
  CHECK(r.useful_work_s == 100.0);
  CHECK(r.checkpoint_s == 6.0);
  CHECK(r.restart_s == 5.0);
  CHECK(r.held_s == 129.0);
  CHECK(r.goodput() == Approx(100.0 / 129.0));
  CHECK(s.down_gpus() == 8);
  s.node_up(0);
}

TEST_CASE_METHOD(SchedulerRun, "a spare node replaces a failed one at once and the repaired node becomes the spare") {
  auto& s = start(2, SchedulingPolicy::kFifo, nullptr, 1);
  CHECK(inventory->in_service_gpus() == 8);
  CHECK(inventory->spare_gpus() == 8);
  const auto id = s.submit(fixed_job("train", 8, 100_s));  // the spare is not schedulable: node 0
  engine.schedule_at(40_s, [&] { s.node_down(0, false); });
  engine.schedule_at(60_s, [&] { s.node_up(0); });
  engine.run();
  s.finish();
  // No checkpoint: 40 s lost; the spare (node 1) takes over at 40, so the job ends at 140.
  CHECK(finals.by_id.at(id).end == 140_s);
  CHECK(finals.by_id.at(id).lost_work_s == 40.0);
  CHECK(inventory->state(1) == NodeState::kInService);
  CHECK(inventory->state(0) == NodeState::kSpare);
  CHECK(inventory->in_service_gpus() == 8);
}

TEST_CASE_METHOD(SchedulerRun, "model jobs are re-timed together whenever the set of running model jobs changes") {
  SharedLinkSpeed speed;
  auto& s = start(2, SchedulingPolicy::kFifo, &speed);
  const auto a = s.submit(model_job("a", 8, 100));
  std::uint64_t b = 0;
  engine.schedule_at(50_s, [&] { b = s.submit(model_job("b", 8, 100)); });
  engine.run();
  s.finish();
  // a alone at 1 s/iteration for 50 s (50 done); together 2 s/iteration: a's last 50 take
  // 100 s (ends 150) while b does 50; b alone again at 1 s: 50 more, ends at 200.
  CHECK(finals.by_id.at(a).end == 150_s);
  CHECK(finals.by_id.at(b).end == 200_s);
  CHECK(finals.by_id.at(a).iterations_done == Approx(100));
  // a: 150 s of work for 100 iterations.
  CHECK(finals.by_id.at(a).mean_iteration_s == Approx(1.5));
  CHECK_FALSE(speed.bad_ranks);
}

TEST_CASE_METHOD(SchedulerRun, "a training job without a speed model, or with mismatched GPUs, is rejected at submit") {
  auto& s = start(1, SchedulingPolicy::kFifo);
  CHECK_THROWS_AS(s.submit(model_job("m", 8, 10)), std::invalid_argument);
  auto shared = fixed_job("s", 2, 1_s);
  shared.gpu_milli = 500;
  CHECK_THROWS_AS(s.submit(shared), std::invalid_argument);
}

TEST_CASE_METHOD(SchedulerRun, "borrowing GPUs takes free ones first, then preempts preemptible lower-priority jobs") {
  auto& s = start(3, SchedulingPolicy::kFifo);
  auto victim = fixed_job("victim", 8, 100_s);
  victim.preemptible = true;
  const auto v = s.submit(victim);
  const auto keep = s.submit(fixed_job("keep", 8, 100_s));
  GpuLoan loan;
  engine.schedule_at(10_s, [&] {
    loan = s.borrow_gpus(16, 5);  // 8 free + 8 from the preemptible job
    CHECK(s.lent_gpus() == 16);
    CHECK(s.free_gpus() == 0);
    CHECK(s.waiting_jobs() == 1);
  });
  engine.schedule_at(30_s, [&] { s.return_gpus(loan.id); });
  engine.run();
  s.finish();
  CHECK(loan.gpus.size() == 16);
  CHECK(finals.by_id.at(keep).end == 100_s);
  // The victim lost its 10 s (no checkpoint), waited 10-30, then ran 100 s: ends at 130.
  CHECK(finals.by_id.at(v).preemptions == 1);
  CHECK(finals.by_id.at(v).end == 130_s);
  CHECK(s.lent_gpus() == 0);
}

TEST_CASE_METHOD(SchedulerRun, "at the horizon every unfinished job is reported once, with its status") {
  auto& s = start(1, SchedulingPolicy::kFifo);
  const auto run = s.submit(fixed_job("running", 8, 100_s));
  const auto wait = s.submit(fixed_job("waiting", 8, 100_s));
  const auto big = s.submit(fixed_job("too big", 9, 1_s));
  auto cpu = fixed_job("cpu only", 0, 5_s);
  const auto c = s.submit(cpu);
  CHECK(finals.by_id.at(big).status == ClusterJobStatus::kNeverFits);
  engine.run_until(50_s);
  s.finish();
  s.finish();  // idempotent
  CHECK(finals.by_id.size() == 4);
  CHECK(finals.duplicates == 0);
  CHECK(finals.by_id.at(run).status == ClusterJobStatus::kRunning);
  CHECK(finals.by_id.at(run).useful_work_s == 50.0);  // in progress counts as useful
  CHECK(finals.by_id.at(wait).status == ClusterJobStatus::kWaiting);
  CHECK(finals.by_id.at(wait).queue_s == 50.0);
  CHECK(finals.by_id.at(c).status == ClusterJobStatus::kFinished);
  CHECK(finals.by_id.at(c).end == 5_s);
  const auto t = accounting->totals();
  CHECK(t.submitted == t.finished + t.waiting + t.running + t.never_fits);
}

TEST_CASE_METHOD(SchedulerRun, "easy backfill keeps later single-node jobs off the node reserved for the head") {
  auto& s = start(2, SchedulingPolicy::kEasyBackfill);
  auto pod = [](std::string name, int gpus, Time duration) {
    auto j = fixed_job(std::move(name), gpus, duration);
    j.single_node = true;
    return j;
  };
  s.submit(pod("a", 4, 100_s));                 // node 0 (tie: lowest index): 4 free left
  s.submit(pod("b", 6, 300_s));                 // node 1: 2 free left
  const auto c = s.submit(pod("c", 8, 50_s));   // head: node 0 reserved from t = 100
  const auto d = s.submit(pod("d", 4, 500_s));  // fits node 0 now, but would hold it past 100
  const auto e = s.submit(pod("e", 2, 500_s));  // fits node 1: backfilled at once
  engine.run();
  s.finish();
  CHECK(finals.by_id.at(e).first_start == Time());
  CHECK(finals.by_id.at(c).first_start == 100_s);
  CHECK(finals.by_id.at(c).end == 150_s);
  CHECK(finals.by_id.at(d).first_start == 150_s);
}

// The accounting listener (cluster_accounting.hpp) on the scheduler's changes.

TEST_CASE_METHOD(SchedulerRun, "GPU-seconds count a GPU share by its fraction, lent GPUs while lent, and only nodes in service") {
  // Two 8-GPU nodes. A: 8 GPUs for 100 s; B: half a GPU for 40 s; 4 GPUs lent from 10 s to
  // 20 s; the node without A fails at 50 s and stays down until the horizon at 200 s.
  auto& s = start(2, SchedulingPolicy::kFifo);
  s.submit(fixed_job("a", 8, 100_s));
  auto half = fixed_job("b", 1, 40_s);
  half.gpu_milli = 500;
  s.submit(half);
  GpuLoan loan;
  engine.schedule_at(10_s, [&] { loan = s.borrow_gpus(4, 5); });
  engine.schedule_at(20_s, [&] { s.return_gpus(loan.id); });
  ClusterTotals at_30;
  // Nothing changes between 20 s and 50 s: the totals at 30 s extend the integrals to now.
  engine.schedule_at(30_s, [&] { at_30 = accounting->totals(); });
  engine.schedule_at(50_s, [&] {
    const int idle = inventory->free_gpus(0) == 8 ? 0 : 1;
    REQUIRE(inventory->free_gpus(idle) == 8);
    s.node_down(idle, true);
  });
  engine.run_until(200_s);
  s.finish();
  REQUIRE(loan.gpus.size() == 4);

  // At 30 s: 8x30 (a) + 0.5x30 (b) + 4x10 (lent) = 295 GPU-s allocated of 16x30 = 480 in service.
  CHECK(at_30.allocated_gpu_s == Approx(295.0));
  CHECK(at_30.in_service_gpu_s == Approx(480.0));
  CHECK(at_30.running == 2);

  const ClusterTotals t = accounting->totals();
  // 8x100 + 0.5x40 + 4x10 = 860 allocated; 16x50 + 8x150 = 2000 in service.
  CHECK(t.allocated_gpu_s == Approx(860.0));
  CHECK(t.in_service_gpu_s == Approx(2000.0));
  CHECK(t.gpu_utilization == Approx(860.0 / 2000.0));
  // Useful work weighted by GPUs held: 8x100 + 0.5x40; nothing lost, all of it useful.
  CHECK(t.useful_gpu_s == Approx(820.0));
  CHECK(t.lost_gpu_s == 0.0);
  CHECK(t.goodput == Approx(1.0));
  CHECK(t.finished == 2);
  CHECK(t.node_failures == 1);
  CHECK(t.failures == 0);  // no job was on the failed node

  // After finish() the integrals end at the horizon, whatever the clock does next.
  engine.run_until(500_s);
  CHECK(accounting->totals().in_service_gpu_s == t.in_service_gpu_s);
  CHECK(accounting->totals().allocated_gpu_s == t.allocated_gpu_s);
}

TEST_CASE_METHOD(SchedulerRun, "work lost to a failure counts against goodput, weighted by the job's GPUs") {
  // A (8 GPUs, 100 s, no checkpoints, no restart overhead) is on the one node, which fails at
  // 40 s: its 40 s of work are lost; the node is back at 60 s and A runs its 100 s again.
  auto& s = start(1, SchedulingPolicy::kFifo);
  s.submit(fixed_job("a", 8, 100_s));
  engine.schedule_at(40_s, [&] { s.node_down(0, true); });
  engine.schedule_at(60_s, [&] { s.node_up(0); });
  engine.run_until(1000_s);
  s.finish();
  const ClusterTotals t = accounting->totals();
  CHECK(t.finished == 1);
  CHECK(t.failures == 1);
  CHECK(t.node_failures == 1);
  // Held 40 + 100 GPU-time per GPU, 100 of it useful: goodput 100 / 140.
  CHECK(t.useful_gpu_s == Approx(800.0));
  CHECK(t.lost_gpu_s == Approx(320.0));
  CHECK(t.goodput == Approx(100.0 / 140.0));
  // 8 GPUs in service but for the 20 s of repair: 8 x 980 GPU-s; allocated 8 x 140.
  CHECK(t.in_service_gpu_s == Approx(8.0 * 980.0));
  CHECK(t.allocated_gpu_s == Approx(8.0 * 140.0));
}

TEST_CASE("topology-aware placement keeps gangs on fewer nodes and leaves than random placement") {
  // 16 nodes of 8 GPUs, 4 per leaf; the same 8 four-node jobs under both placements.
  int nodes[2] = {0, 0};
  int leaves[2] = {0, 0};
  double fragmentation[2] = {0, 0};
  for (int p = 0; p < 2; ++p) {
    Engine engine(5);
    auto inventory = ClusterInventory::uniform(16, 8, 4);
    const auto placement = p == 0 ? PlacementPolicy::kTopologyAware : PlacementPolicy::kRandom;
    ClusterScheduler s(engine, inventory, {SchedulingPolicy::kFifo, placement}, nullptr);
    s.on_job_started.connect([&, p](const ClusterJobRecord& r) {
      nodes[p] += r.nodes_used;
      leaves[p] += r.leaves_used;
    });
    for (int i = 0; i < 3; ++i) s.submit(fixed_job("j" + std::to_string(i), 32, 100_s));
    s.submit(fixed_job("small", 4, 100_s));
    engine.run_until(1_s);
    fragmentation[p] = s.fragmentation();
  }
  // Topology-aware: each 32-GPU job on 4 whole nodes of one leaf (12 nodes, 3 leaves), the
  // small one on part of a 13th node: 4 free GPUs there, 24 on 3 empty nodes: 4/28.
  CHECK(nodes[0] == 13);
  CHECK(leaves[0] == 4);
  CHECK(fragmentation[0] == Approx(4.0 / 28.0));
  CHECK(nodes[1] > nodes[0]);
  CHECK(leaves[1] > leaves[0]);
  CHECK(fragmentation[1] > fragmentation[0]);
}

// Co-location loans: victims, back-off, revocation.

TEST_CASE("a loan evicts the preemptible job that frees enough GPUs with the least unsaved work") {
  Engine engine(1);
  auto inventory = ClusterInventory::uniform(4, 8, 4);
  ClusterScheduler s(engine, inventory, {SchedulingPolicy::kFifo, PlacementPolicy::kTopologyAware}, nullptr);
  Finals ends;
  ends.listen(s);
  const auto small = s.submit(preemptible(fixed_job("small", 8, 1000_s)));  // id 1
  const auto big = s.submit(preemptible(fixed_job("big", 16, 1000_s)));     // id 2
  s.submit(fixed_job("keep", 8, 1000_s));
  engine.schedule_at(10_s, [&] {
    // 4 GPUs: both free enough alone; unsaved work at 10 s (no checkpoints): small 8 x 10 =
    // 80 GPU-s, big 16 x 10 = 160 GPU-s: small goes (the old rule, most recent start then
    // highest id, took big).
    CHECK(s.borrow_gpus(4, 5).gpus.size() == 4);
    CHECK(s.free_gpus() == 4);  // the rest of small's node stays free for the lender
  });
  engine.schedule_at(20_s, [&] {
    CHECK(s.borrow_gpus(4, 5).gpus.size() == 4);  // the 4 left on that node, no eviction
    CHECK(s.free_gpus() == 0);
  });
  engine.schedule_at(30_s, [&] {
    // 12 more: only big frees 12 alone (small is already out): big goes, 4 stay free.
    CHECK(s.borrow_gpus(12, 5).gpus.size() == 12);
    CHECK(s.free_gpus() == 4);
  });
  engine.run_until(40_s);
  s.finish();
  CHECK(ends.by_id.at(small).preemptions == 1);
  CHECK(ends.by_id.at(big).preemptions == 1);
  CHECK(ends.by_id.at(big).lost_work_s == Approx(30.0));
  CHECK(ends.by_id.at(small).lost_work_s == Approx(10.0));
}

TEST_CASE("a loan that eviction cannot satisfy evicts nobody") {
  Engine engine(1);
  auto inventory = ClusterInventory::uniform(2, 8, 2);
  ClusterScheduler s(engine, inventory, {SchedulingPolicy::kFifo, PlacementPolicy::kTopologyAware}, nullptr);
  const ClusterAccounting accounting(engine, s);
  s.submit(preemptible(fixed_job("victim", 8, 100_s)));
  s.submit(fixed_job("keep", 8, 100_s));
  engine.schedule_at(10_s, [&] {
    // 12 GPUs: the victim frees only 8.
    CHECK(s.borrow_gpus(12, 5).gpus.empty());
    CHECK(s.running_jobs() == 2);
  });
  engine.run();
  s.finish();
  CHECK(accounting.totals().preemptions == 0);
}

TEST_CASE(
    "a job evicted for a loan restarts only after the lender has neither borrowed nor returned for the back-off") {
  Engine engine(1);
  auto inventory = ClusterInventory::uniform(2, 8, 2);
  ClusterSchedulerSpec spec{SchedulingPolicy::kPriorityPreemptive, PlacementPolicy::kTopologyAware, 60_s};
  ClusterScheduler s(engine, inventory, spec, nullptr);
  Finals ends;
  ends.listen(s);
  const auto v = s.submit(preemptible(fixed_job("victim", 16, 100_s)));
  GpuLoan first;
  GpuLoan second;
  engine.schedule_at(10_s, [&] { first = s.borrow_gpus(8, 5); });   // evicts the victim: 10 s lost
  engine.schedule_at(20_s, [&] { s.return_gpus(first.id); });       // all 16 free, victim held
  engine.schedule_at(40_s, [&] { second = s.borrow_gpus(4, 5); });  // free ones, no eviction
  engine.schedule_at(50_s, [&] { s.return_gpus(second.id); });      // last change: quiet from 110 s
  engine.schedule_at(109_s, [&] {
    CHECK(s.waiting_jobs() == 1);
    CHECK(s.free_gpus() == 16);
  });
  engine.run();
  s.finish();
  // Held 10-110 s (without the back-off it would have restarted at 20 s and been evicted again
  // at 40 s), then 100 s of work: ends at 210 s.
  const ClusterJobRecord& r = ends.by_id.at(v);
  CHECK(r.end == 210_s);
  CHECK(r.preemptions == 1);
  CHECK(r.restarts == 1);
  CHECK(r.queue_s == Approx(100.0));
  CHECK(r.lost_work_s == Approx(10.0));
}

TEST_CASE("a node failure ends the loans with a GPU on it") {
  Engine engine(1);
  auto inventory = ClusterInventory::uniform(2, 8, 2);
  ClusterScheduler s(engine, inventory, {}, nullptr);
  const ClusterAccounting accounting(engine, s);
  s.submit(fixed_job("keep", 8, 100_s));
  std::vector<std::uint64_t> revoked;
  s.on_loan_revoked.connect([&](std::uint64_t id) { revoked.push_back(id); });
  GpuLoan loan;
  engine.schedule_at(5_s, [&] { loan = s.borrow_gpus(4, 5); });
  engine.schedule_at(10_s, [&] {
    const int node = s.inventory().node_of(loan.gpus.front());
    s.node_down(node, true);
    CHECK(s.lent_gpus() == 0);
    CHECK(s.down_gpus() == 8);
  });
  engine.run_until(20_s);
  REQUIRE(revoked.size() == 1);
  CHECK(revoked.front() == loan.id);
  CHECK(accounting.totals().loans_revoked == 1);
  CHECK_THROWS_AS(s.return_gpus(loan.id), std::invalid_argument);
  s.finish();
}

TEST_CASE("a loan in TP groups keeps each group inside one node, and spans nodes only when no node has a group free") {
  Engine engine(1);
  auto inventory = ClusterInventory::uniform(2, 8, 2);
  ClusterScheduler s(engine, inventory, {SchedulingPolicy::kFifo, PlacementPolicy::kTopologyAware}, nullptr);
  s.submit(fixed_job("two", 2, 100_s));  // leaves 6 free on its node, 8 on the other
  engine.schedule_at(10_s, [&] {
    // 12 GPUs in groups of 4: 4 of the 6 on one node, 8 on the other; each group in one node.
    const GpuLoan loan = s.borrow_gpus(12, 5, 4);
    REQUIRE(loan.gpus.size() == 12);
    for (std::size_t k = 0; k < loan.gpus.size(); ++k)
      CHECK(inventory.node_of(loan.gpus[k]) == inventory.node_of(loan.gpus[k - k % 4]));
    CHECK(s.free_gpus() == 2);
    s.return_gpus(loan.id);
  });
  engine.run_until(20_s);
  s.finish();

  Engine engine2(1);
  auto inventory2 = ClusterInventory::uniform(2, 8, 2);
  ClusterScheduler s2(engine2, inventory2, {SchedulingPolicy::kFifo, PlacementPolicy::kTopologyAware}, nullptr);
  const ClusterAccounting accounting2(engine2, s2);
  s2.submit(fixed_job("six", 6, 100_s));
  s2.submit(fixed_job("six too", 6, 100_s));  // 2 free on each node: no node holds a group of 4
  engine2.schedule_at(10_s, [&] {
    const GpuLoan loan = s2.borrow_gpus(4, 5, 4);
    REQUIRE(loan.gpus.size() == 4);
    CHECK(inventory2.node_of(loan.gpus.front()) != inventory2.node_of(loan.gpus.back()));
  });
  engine2.run_until(20_s);
  s2.finish();
  CHECK(accounting2.totals().preemptions == 0);
}
