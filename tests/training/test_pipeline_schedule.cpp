#include <catch2/catch.hpp>
#include <vector>

#include "sim/training/pipeline_schedule.hpp"

using namespace cs;

namespace {
PipelineScheduleSpec uniform(int p, int m, int v, double forward_s, double backward_s, double transfer_s = 0) {
  PipelineScheduleSpec s;
  s.stages.assign(p, PipelineStageTimes{forward_s / v, backward_s / v});
  s.micro_batches = m;
  s.virtual_stages = v;
  s.transfer_s = transfer_s;
  return s;
}
}  // namespace

TEST_CASE("plain 1F1B takes (m + p - 1) stage times and its bubble fraction is (p - 1)/m") {
  for (auto [p, m] : std::vector<std::pair<int, int>>{{1, 4}, {2, 2}, {4, 8}, {4, 3}, {8, 96}, {8, 8}}) {
    // t_f = 1, t_b = 2: one micro-batch costs 3 per stage.
    const PipelineScheduleResult r = run_pipeline_schedule(uniform(p, m, 1, 1.0, 2.0));
    CHECK(r.makespan_s == Approx(3.0 * (m + p - 1)));
    CHECK(r.bubble_fraction == Approx(pipeline_bubble_formula(p, m, 1)).margin(1e-12));
    CHECK(r.ops == 2 * p * m);
  }
}

TEST_CASE("interleaved 1F1B shrinks the bubble to (p - 1)/(v m)") {
  for (auto [p, m, v] :
       std::vector<std::tuple<int, int, int>>{{4, 8, 2}, {4, 16, 4}, {8, 96, 2}, {8, 96, 3}, {2, 4, 2}}) {
    for (double backward : {1.0, 2.0}) {
      INFO("p=" << p << " m=" << m << " v=" << v << " t_b=" << backward);
      const PipelineScheduleResult r = run_pipeline_schedule(uniform(p, m, v, 1.0, backward));
      CHECK(r.bubble_fraction == Approx(pipeline_bubble_formula(p, m, v)).margin(1e-9));
      CHECK(r.makespan_s == Approx((1.0 + backward) * (m + double(p - 1) / v)));
    }
  }
}

TEST_CASE("interleaving needs the micro-batches to be a multiple of the stages") {
  CHECK_THROWS_AS(run_pipeline_schedule(uniform(4, 6, 2, 1, 2)), std::invalid_argument);
}

TEST_CASE("stage-to-stage transfers lengthen the fill and the drain of plain 1F1B") {
  // p = 4, m = 8, t_f = 1, t_b = 2, transfer 0.1. The first micro-batch's forward crosses 3
  // hand-offs on the way down and its backward 3 on the way up; in the steady state every
  // forward/backward pair of the last stage waits one round trip (2 x 0.1) for its inputs.
  const PipelineScheduleResult r = run_pipeline_schedule(uniform(4, 8, 1, 1.0, 2.0, 0.1));
  const double no_transfer = 3.0 * (8 + 3);
  CHECK(r.makespan_s >= no_transfer + 6 * 0.1 - 1e-9);
  CHECK(r.makespan_s <= no_transfer + (6 + 2 * 8) * 0.1 + 1e-9);
}

TEST_CASE("the slowest stage sets the pace of the pipeline") {
  PipelineScheduleSpec s = uniform(4, 16, 1, 1.0, 2.0);
  s.stages.back() = PipelineStageTimes{1.5, 3.0};
  const PipelineScheduleResult r = run_pipeline_schedule(s);
  // The last stage runs 16 x 4.5 = 72 of work; it waits for the first forward (3 x 1) and the
  // other stages' backward of the last micro-batch drains after it (3 x 2): 72 + 3 + 6 = 81.
  CHECK(r.busy_s.back() == Approx(72));
  CHECK(r.makespan_s == Approx(81));
}
