#include <catch2/catch.hpp>

#include <map>

#include "trace_test_files.hpp"
#include "workloads/alibaba_pod_trace.hpp"
#include "workloads/trace_error.hpp"

using namespace cs;
using cs::test::trace_path;
using cs::test::write_test_file;

TEST_CASE("the Alibaba openb pod list has 8,152 pods with their empty fields kept as absent") {
  AlibabaPodTrace trace(trace_path("alibaba_gpu_v2023_openb_pod_list_default.csv"));
  std::uint64_t rows = 0, never_scheduled = 0, cpu_only = 0, with_spec = 0, total_gpus = 0, no_deletion = 0;
  std::map<PodPhase, int> phases;
  Time last;
  while (auto j = trace.next()) {
    if (rows == 0) {
      CHECK(j->name == "openb-pod-0000");
      CHECK(j->cpu_milli == 12000);
      CHECK(j->memory_mib == 16384);
      CHECK(j->gpu_milli == 1000);
      CHECK(j->qos == "LS");
      CHECK(j->phase == PodPhase::kRunning);
      CHECK(j->deletion == Time::s(12'537'496));
      CHECK(j->scheduled == Time());
    }
    ++rows;
    if (!j->scheduled) {
      ++never_scheduled;
      CHECK(j->phase == PodPhase::kPending);
    }
    if (j->num_gpu == 0) ++cpu_only;
    if (!j->gpu_spec.empty()) ++with_spec;
    if (!j->deletion) ++no_deletion;
    total_gpus += static_cast<std::uint64_t>(j->num_gpu);
    ++phases[j->phase];
    last = j->creation;
  }
  // Counts from awk -F, on the file: NR-1 rows; $11=="" 897 (all Pending); $4==0 1088;
  // $6 never set; sum($4) 7433; pod_phase counts.
  CHECK(rows == 8152);
  CHECK(never_scheduled == 897);
  CHECK(cpu_only == 1088);
  CHECK(with_spec == 0);
  CHECK(no_deletion == 0);
  CHECK(total_gpus == 7433);
  CHECK(phases[PodPhase::kPending] == 897);
  CHECK(phases[PodPhase::kRunning] == 5193);
  CHECK(phases[PodPhase::kFailed] == 1870);
  CHECK(phases[PodPhase::kSucceeded] == 192);
  CHECK(last == Time::s(12'901'761));
}

TEST_CASE("a malformed pod row names its line unless bad rows are skipped") {
  const std::string header = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n";
  const auto path = write_test_file("pods.csv", header +
                                                    "p0,1000,1024,1,500,,LS,Running,0,10,0\n"
                                                    "p1,1000,1024,,500,,LS,Running,5,10,5\n"       // line 3: empty num_gpu
                                                    "p2,1000,1024,1,500,V100,BE,Sleeping,6,,\n"   // line 4: bad phase
                                                    "p3,1000,1024,8,1000,V100|A100,BE,Pending,7,,\n");
  {
    AlibabaPodTrace trace(path);
    CHECK(trace.next());
    try {
      trace.next();
      FAIL("no error");
    } catch (const TraceError& e) {
      CHECK(e.line() == 3);
      CHECK_THAT(e.reason(), Catch::Contains("num_gpu"));
    }
  }
  JobTraceOptions options;
  options.skip_bad_rows = true;
  AlibabaPodTrace trace(path, options);
  CHECK(trace.next()->name == "p0");
  const auto last = trace.next();
  REQUIRE(last);
  CHECK(last->name == "p3");
  CHECK(last->gpu_spec == "V100|A100");
  CHECK_FALSE(last->deletion);
  CHECK_FALSE(last->scheduled);
  CHECK_FALSE(trace.next());
  CHECK(trace.skipped_rows() == 2);
  CHECK_THAT(trace.first_skipped_reason(), Catch::Contains(":3: "));
}
