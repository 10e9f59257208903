#include <catch2/catch.hpp>

#include <string>

#include "scenario_load_error.hpp"

using namespace cs;
using cs::test::error_of;
using cs::test::replace;
using cs::test::TempDir;

namespace {

// Lines are numbered in comments: errors must name them.
const std::string kTraining =
    "name: t\n"                                                             // 1
    "simulation: {horizon: 1 h}\n"                                          // 2
    "topology:\n"                                                           // 3
    "  node: dgx_a100\n"                                                    // 4
    "  nodes: 4\n"                                                          // 5
    "  fabric: {kind: leaf_spine}\n"                                        // 6
    "cluster:\n"                                                            // 7
    "  gpu: a100-80gb-sxm\n"                                                // 8
    "  price: $1.50/h\n"                                                    // 9
    "  scheduler: {policy: easy_backfill, placement: random}\n"             // 10
    "  failures: {gpu_mtbf: 1000 h, repair_time: 2 h, spare_nodes: 1}\n"    // 11
    "  checkpoint: {interval: 30 min, write_time: 20 s, restart: 5 min}\n"  // 12
    "training:\n"                                                           // 13
    "  - name: gpt\n"                                                       // 14
    "    model: gpt-j\n"                                                    // 15
    "    gpu: a100-80gb-sxm\n"                                              // 16
    "    global_batch: 64\n"                                                // 17
    "    sequence_length: 2048\n"                                           // 18
    "    tokens: 300B\n"                                                    // 19
    "    tp: 8\n"                                                           // 20
    "    pp: 2\n"                                                           // 21
    "    dp: 1\n"                                                           // 22
    "    virtual_stages: 2\n"                                               // 23
    "    recompute: true\n"                                                 // 24
    "    submit: 10 min\n"                                                  // 25
    "    preemptible: true\n"                                               // 26
    "    priority: 3\n"                                                     // 27
    "    checkpoint: {interval: 1 h}\n"                                     // 28
    "  - name: early\n"                                                     // 29
    "    model: gpt-j\n"                                                    // 30
    "    gpu: a100-80gb-sxm\n"                                              // 31
    "    global_batch: 16\n"                                                // 32
    "    sequence_length: 2048\n"                                           // 33
    "    tokens: 1B\n"                                                      // 34
    "    tp: 8\n"                                                           // 35
    "    pp: 1\n"                                                           // 36
    "    zero_stage: 3\n"                                                   // 37
    "    price: $3/h\n";                                                    // 38

}  // namespace

TEST_CASE("a training scenario reads the cluster from the topology and its jobs in submit order") {
  TempDir dir;
  const Scenario s = load_scenario(dir.write("t.yaml", kTraining));
  REQUIRE(s.training);
  const TrainingClusterSpec& c = *s.training;
  CHECK(c.from_topology);
  CHECK(c.nodes == 4);
  CHECK(c.gpus_per_node == 8);
  CHECK(c.gpu_type == "a100-80gb-sxm");
  CHECK(c.usd_per_gpu_hour == Approx(1.5));
  CHECK(c.scheduler.policy == SchedulingPolicy::kEasyBackfill);
  CHECK(c.scheduler.placement == PlacementPolicy::kRandom);
  CHECK(c.failures_enabled);
  CHECK(c.failures.gpu_mtbf_h == Approx(1000));
  CHECK(c.failures.node_mtbf_h == 0);  // FailureSpec's default
  CHECK(c.failures.repair_time == Time::s(7200));
  CHECK(c.failures.spare_nodes == 1);
  CHECK(c.checkpoint.interval == Time::s(1800));
  REQUIRE(c.jobs.size() == 2);
  // "early" (submit 0) comes before "gpt" (submit 10 min) although written second.
  const ClusterJobSpec& early = c.jobs[0];
  const ClusterJobSpec& gpt = c.jobs[1];
  CHECK(early.name == "early");
  CHECK(early.gpus == 8);
  CHECK(c.job_usd_per_gpu_hour[0] == Approx(3));
  REQUIRE(early.training);
  CHECK(early.training->parallel.zero_stage == 3);
  CHECK(early.checkpoint.write_time == Time::s(20));  // the cluster's default
  CHECK(gpt.name == "gpt");
  CHECK(gpt.submit == Time::s(600));
  CHECK(gpt.gpus == 16);  // tp 8 x pp 2 x dp 1
  CHECK(gpt.preemptible);
  CHECK(gpt.priority == 3);
  CHECK(c.job_usd_per_gpu_hour[1] == Approx(1.5));
  // The job's checkpoint map overrides the interval only.
  CHECK(gpt.checkpoint.interval == Time::s(3600));
  CHECK(gpt.checkpoint.write_time == Time::s(20));
  CHECK(gpt.checkpoint.restart_overhead == Time::s(300));
  REQUIRE(gpt.training);
  const TrainingJobSpec& t = *gpt.training;
  CHECK(t.model.name == "gpt-j-6b");  // the alias resolved
  CHECK(t.token_budget == Approx(300e9));
  CHECK(t.parallel.virtual_stages == 2);
  CHECK(t.parallel.recompute_activations);
  CHECK(t.micro_batches() == 64);  // 64 sequences / (micro-batch 1 x dp 1)
}

TEST_CASE("a plain cluster of uniform nodes replays an inline job list") {
  TempDir dir;
  const Scenario s = load_scenario(dir.write("j.yaml",
                                             "name: j\n"
                                             "simulation: {horizon: 1 h}\n"
                                             "cluster: {nodes: 10, gpus_per_node: 4, nodes_per_leaf: 5}\n"
                                             "jobs:\n"
                                             "  - {name: a, submit: 0 s, gpus: 8, duration: 2 h}\n"
                                             "  - {submit: 30 s, gpus: 1, duration: 90 s, qos: BE}\n"));
  REQUIRE(s.training);
  const TrainingClusterSpec& c = *s.training;
  CHECK_FALSE(c.from_topology);
  CHECK(c.gpus() == 40);
  CHECK(c.nodes_per_leaf == 5);
  CHECK(c.scheduler.policy == SchedulingPolicy::kFifo);
  CHECK_FALSE(c.failures_enabled);  // no `failures:` section: none
  REQUIRE(c.trace);
  REQUIRE(c.trace->format == JobListFormat::kInline);
  REQUIRE(c.trace->inline_jobs.size() == 2);
  const JobTraceRecord& b = c.trace->inline_jobs[1];
  CHECK(b.name == "job-1");
  CHECK(b.creation == Time::s(30));
  CHECK(b.deletion == Time::s(120));
  CHECK(b.qos == "BE");
}

TEST_CASE("a CSV job list is read with the scenario's folder as the base of its path, its time scale too") {
  TempDir dir;
  dir.write("jobs.csv", "submit_s,gpus,duration_s,name\n0,8,3600,a\n1.5,2,10,\n");
  const Scenario s = load_scenario(dir.write("c.yaml",
                                             "name: c\n"
                                             "simulation: {horizon: 1 h}\n"
                                             "cluster: {nodes: 2, scheduler: {preemption_backoff: 20 min}}\n"
                                             "jobs: {format: csv, path: jobs.csv, time_scale: 400}\n"));
  REQUIRE(s.training);
  REQUIRE(s.training->trace);
  CHECK(s.training->trace->time_scale == 400.0);
  CHECK(s.training->scheduler.preemption_backoff == Time::s(1200));
  auto source = make_job_source(*s.training->trace);
  const auto a = source->next();
  REQUIRE(a);
  CHECK(a->name == "a");
  CHECK(a->num_gpu == 8);
  CHECK(a->deletion == Time::s(3600));
  const auto b = source->next();
  REQUIRE(b);
  CHECK(b->name == "job-1");
  CHECK(b->creation == Time::ms(1500));
  CHECK(b->deletion == Time::ms(11500));
  CHECK_FALSE(source->next());
}

TEST_CASE("checkpoint storage bandwidth turns the model's checkpoint size into a write time") {
  TempDir dir;
  const Scenario s =
      load_scenario(dir.write("t.yaml", replace(kTraining, "    checkpoint: {interval: 1 h}\n",
                                                "    checkpoint: {interval: 1 h, storage_bandwidth: 100 GB/s}\n")));
  // GPT-J: ~6.05e9 parameters x 14 bytes (bf16 weights + fp32 master + 2 fp32 Adam moments)
  // = 8.47e10 bytes over 100 GB/s = 0.847 s.
  CHECK(s.training->jobs[1].checkpoint.write_time.seconds() == Approx(0.847).epsilon(0.02));
}

TEST_CASE("a training job reads the recipes: fp8, context and expert parallelism, the capacity factor") {
  TempDir dir;
  const Scenario s = load_scenario(dir.write("r.yaml",
                                             "name: r\n"
                                             "simulation: {horizon: 1 h}\n"
                                             "topology: {node: dgx_h100, nodes: 4, fabric: {kind: fat_tree}}\n"
                                             "training:\n"
                                             "  - model: mixtral-8x7b\n"
                                             "    gpu: h100-sxm\n"
                                             "    global_batch: 64\n"
                                             "    sequence_length: 32768\n"
                                             "    tokens: 1B\n"
                                             "    tp: 4\n"
                                             "    cp: 2\n"
                                             "    dp: 4\n"
                                             "    ep: 4\n"
                                             "    moe_capacity_factor: 1.25\n"
                                             "    dtype: fp8\n"
                                             "    zero_stage: 1\n"
                                             "    sequence_parallel: true\n"
                                             "    selective_recompute: true\n"));
  REQUIRE(s.training);
  const ClusterJobSpec& job = s.training->jobs.at(0);
  CHECK(job.gpus == 32);  // tp 4 x cp 2 x dp 4
  const TrainingJobSpec& t = *job.training;
  CHECK(t.parallel.cp == 2);
  CHECK(t.parallel.ep == 4);
  CHECK(t.parallel.moe_capacity_factor == 1.25);
  CHECK(t.precision.compute == Dtype::kFp8);
  CHECK(t.precision.weights == Dtype::kBf16);
}

TEST_CASE("training errors name the file, the line and the key") {
  SECTION("an unknown key in a job, with the nearest known one") {
    const std::string e = error_of(replace(kTraining, "    recompute: true\n", "    recomput: true\n"));
    CHECK_THAT(e, Catch::Contains("bad.yaml:24"));
    CHECK_THAT(e, Catch::Contains("training[0]"));
    CHECK_THAT(e, Catch::Contains("did you mean 'recompute'"));
  }
  SECTION("a time scale that is not positive") {
    const std::string e = error_of(
        "name: c\nsimulation: {horizon: 1 h}\ncluster: {nodes: 2}\njobs: {format: csv, path: x.csv, time_scale: 0}\n");
    CHECK_THAT(e, Catch::Contains("bad.yaml:4"));
    CHECK_THAT(e, Catch::Contains("jobs.time_scale"));
  }
  SECTION("an unknown scheduler policy") {
    const std::string e = error_of(replace(kTraining, "policy: easy_backfill", "policy: easy"));
    CHECK_THAT(e, Catch::Contains("bad.yaml:10"));
    CHECK_THAT(e, Catch::Contains("cluster.scheduler.policy"));
    CHECK_THAT(e, Catch::Contains("easy_backfill"));
  }
  SECTION("a global batch that does not split into micro-batches x dp") {
    const std::string e = error_of(replace(kTraining, "    dp: 1\n", "    dp: 3\n"));
    CHECK_THAT(e, Catch::Contains("bad.yaml:17"));
    CHECK_THAT(e, Catch::Contains("training[0].global_batch"));
  }
  SECTION("a job that asks for another GPU than the cluster has") {
    const std::string e = error_of(
        replace(kTraining, "    gpu: a100-80gb-sxm\n    global_batch: 16", "    gpu: h100-sxm\n    global_batch: 16"));
    CHECK_THAT(e, Catch::Contains("bad.yaml:31"));
    CHECK_THAT(e, Catch::Contains("training[1].gpu"));
  }
  SECTION("a job larger than the cluster") {
    const std::string e = error_of(replace(kTraining, "    dp: 1\n", "    dp: 4\n"));
    CHECK_THAT(e, Catch::Contains("GPUs; the cluster has 32"));
  }
  SECTION("a tensor-parallel group wider than a node") {
    const std::string e = error_of(replace(kTraining, "    tp: 8\n    pp: 2\n", "    tp: 16\n    pp: 1\n"));
    CHECK_THAT(e, Catch::Contains("bad.yaml:20"));
    CHECK_THAT(e, Catch::Contains("training[0].tp"));
  }
  SECTION("a plan that does not fit in the GPU's memory, with the numbers") {
    // GPT-3 175B on 16 GPUs (tp 8, pp 2, dp 1): 175e9 / 16 parameters x 18 bytes ~ 183 GiB.
    const std::string e = error_of(replace(kTraining, "    model: gpt-j\n    gpu: a100-80gb-sxm\n    global_batch: 64",
                                           "    model: gpt-3\n    gpu: a100-80gb-sxm\n    global_batch: 64"));
    CHECK_THAT(e, Catch::Contains("bad.yaml:14"));
    CHECK_THAT(e, Catch::Contains("training[0].micro_batch"));
    CHECK_THAT(e, Catch::Contains("GiB per GPU"));
    CHECK_THAT(e, Catch::Contains("a100-80gb-sxm has 80.0 GiB"));
  }
  SECTION("fp8 training on a GPU without fp8 tensor cores") {
    const std::string e = error_of(replace(kTraining, "    recompute: true\n", "    recompute: true\n    dtype: fp8\n"));
    CHECK_THAT(e, Catch::Contains("bad.yaml:25"));
    CHECK_THAT(e, Catch::Contains("training[0].dtype"));
    CHECK_THAT(e, Catch::Contains("no fp8 tensor cores"));
  }
  SECTION("expert parallelism on a dense model") {
    const std::string e = error_of(replace(kTraining, "    recompute: true\n", "    recompute: true\n    ep: 2\n"));
    CHECK_THAT(e, Catch::Contains("training[0].ep"));
    CHECK_THAT(e, Catch::Contains("needs an MoE model"));
  }
  SECTION("context parallelism without fused attention") {
    const std::string e = error_of(
        replace(kTraining, "    recompute: true\n", "    recompute: true\n    cp: 2\n    flash_attention: false\n"));
    CHECK_THAT(e, Catch::Contains("training[0].cp"));
    CHECK_THAT(e, Catch::Contains("flash"));
  }
  SECTION("nodes given beside a topology") {
    const std::string e = error_of(replace(kTraining, "  gpu: a100-80gb-sxm\n  price", "  nodes: 4\n  price"));
    CHECK_THAT(e, Catch::Contains("bad.yaml:8"));
    CHECK_THAT(e, Catch::Contains("cluster.nodes"));
  }
  SECTION("training jobs without a topology to time them on") {
    const std::string e = error_of(
        replace(replace(kTraining, "topology:\n  node: dgx_a100\n  nodes: 4\n  fabric: {kind: leaf_spine}\n", ""),
                "  gpu: a100-80gb-sxm\n  price", "  nodes: 4\n  gpu: a100-80gb-sxm\n  price"));
    CHECK_THAT(e, Catch::Contains("add a `topology:` section"));
  }
  SECTION("an inline job without a duration") {
    const std::string e =
        error_of("name: j\nsimulation: {horizon: 1 h}\ncluster: {nodes: 2}\njobs:\n  - {submit: 0 s, gpus: 8}\n");
    CHECK_THAT(e, Catch::Contains("bad.yaml:5"));
    CHECK_THAT(e, Catch::Contains("jobs[0]"));
    CHECK_THAT(e, Catch::Contains("duration"));
  }
  SECTION("jobs with no cluster") {
    const std::string e =
        error_of("name: j\nsimulation: {horizon: 1 h}\njobs:\n  - {submit: 0 s, gpus: 8, duration: 1 h}\n");
    CHECK_THAT(e, Catch::Contains("cluster: missing required key 'nodes'"));
  }
}
