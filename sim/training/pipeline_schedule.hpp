#pragma once
// The 1F1B pipeline schedule (Narayanan et al., "Efficient Large-Scale Language Model Training
// on GPU Clusters Using Megatron-LM", SC'21), plain and interleaved, built op by op so that the
// pipeline bubble comes out of the dependencies rather than a formula.
//
// Device d (pipeline stage d) holds model chunks c = 0..v-1; virtual stage k = c*p + d. Each
// device runs its forward (F) and backward (B) ops in Megatron's fixed order: a warm-up of
// forwards, then one forward and one backward alternating, then the remaining backwards. An op
// starts when its device is free and its input is there: F(k, i) needs F(k-1, i), B(k, i) needs
// B(k+1, i) (the last virtual stage's B needs its own F); an input from another device arrives
// `transfer_s` after the producing op ends. The makespan is the last op's end.
//
// Plain 1F1B (v = 1) with equal stages and no transfer time takes (m + p - 1)(t_f + t_b): the
// bubble fraction is (p - 1)/m of the ideal m(t_f + t_b). Interleaved with v chunks per device
// (each taking 1/v of the stage's time) shrinks it to (p - 1)/(v m) (ibid., section 2.2.2).
#include <vector>

namespace cs {

struct PipelineStageTimes {
  double forward_s = 0;   // one micro-batch through one model chunk of this stage
  double backward_s = 0;  // its backward (with recomputation, the recomputed forward too)
};

struct PipelineScheduleSpec {
  // One entry per pipeline stage (device), times per model chunk.
  std::vector<PipelineStageTimes> stages;
  int micro_batches = 1;
  int virtual_stages = 1;  // model chunks per device; > 1: interleaved 1F1B
  // Stage-to-stage hand-off of activations (forward) or their gradients (backward).
  double transfer_s = 0;
};

struct PipelineScheduleResult {
  double makespan_s = 0;
  // Per device: time spent running ops, and idle time before the makespan.
  std::vector<double> busy_s;
  std::vector<double> idle_s;
  // On the busiest device: idle / busy, the bubble fraction of the paper.
  double bubble_fraction = 0;
  // End of the last backward op of each device (when its gradients are final).
  std::vector<double> last_backward_end_s;
  int ops = 0;
};

// Throws std::invalid_argument for an empty pipeline, m < 1, v < 1, or interleaving with m not
// a multiple of p (Megatron's interleaved schedule requires it).
PipelineScheduleResult run_pipeline_schedule(const PipelineScheduleSpec& spec);

// The paper's bubble fraction, for comparison: (p - 1) / (v m).
double pipeline_bubble_formula(int stages, int micro_batches, int virtual_stages);

}  // namespace cs
