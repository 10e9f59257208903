#include "sim/llm/training_estimate.hpp"

#include <stdexcept>

#include "sim/hardware/link_estimate.hpp"
#include "sim/llm/plan_search.hpp"

namespace cs {

namespace {

double simulated_mfu(const TransformerCost& cost, const GpuSpec& gpu, const TrainingQuery& q,
                     double micro_batches) {
  const TransformerSpec& m = cost.model();
  const ParallelPlan& plan = cost.plan();
  const TrainingOptions& o = q.options;
  const IterationShape mb = training_shape(o.micro_batch, o.sequence_length);

  KernelTime forward = roofline_time(gpu, cost.layer_dense_work(mb));
  forward += roofline_time(gpu, cost.layer_attention_work(mb));
  forward = forward.times(m.layers);
  forward += roofline_time(gpu, cost.lm_head_work(mb));
  const double passes = o.recompute_activations ? 4 : 3;
  const double all_reduces = m.layers * (o.recompute_activations ? 6 : 4);
  const double comm = all_reduces * all_reduce_seconds(cost.tp_all_reduce_bytes(mb), plan.tp,
                                                       group_path(gpu, plan.tp));
  const double micro_batch_s = passes * forward.seconds() + comm;  // all layers, one TP group
  const double stage_s = micro_batch_s / plan.pp;
  const double iteration_s = (micro_batches + plan.pp - 1) * stage_s;

  const double model_flops_per_gpu =
      micro_batches * training_flops(m, o.micro_batch * o.sequence_length, o.sequence_length,
                                     false) /
      plan.replica_gpus();
  return model_flops_per_gpu / (iteration_s * gpu.peak_flops(cost.precision().compute));
}

}  // namespace

TrainingEstimate estimate_training(const TransformerSpec& model, const GpuSpec& gpu,
                                   const TrainingQuery& q) {
  if (q.tokens <= 0) throw std::invalid_argument("training tokens must be positive");
  TrainingEstimate e;
  int tp = q.tp;
  if (tp <= 0) {  // the largest TP inside the link domain that divides the GPU count
    tp = 1;
    for (int c : tensor_parallel_candidates(model, gpu))
      if (q.gpus % c == 0) tp = c;
  }
  const ModelPrecision precision = precision_for(q.dtype);
  auto plan_with = [&](int pp) { return ParallelPlan{tp, pp, q.gpus / (tp * pp), 1}; };
  auto memory_of = [&](int pp) {
    return training_memory_per_gpu(TransformerCost(model, precision, plan_with(pp)), q.options);
  };
  int pp = q.pp;
  if (pp <= 0) {  // fewest stages that fit; the largest possible when none does
    for (int candidate = 1; candidate <= model.layers; ++candidate) {
      if (q.gpus % (tp * candidate) != 0) continue;
      pp = candidate;
      if (memory_of(candidate).total() <= gpu.memory_bytes) break;
    }
    if (pp <= 0) pp = 1;
  }
  if (q.gpus % (tp * pp) != 0)
    throw std::invalid_argument("training on " + std::to_string(q.gpus) +
                                " GPUs needs a multiple of tp x pp = " + std::to_string(tp * pp));
  e.plan = plan_with(pp);
  const TransformerCost cost(model, precision, e.plan);

  e.model_flops = training_flops(model, q.tokens, q.options.sequence_length, false);
  e.hardware_flops =
      training_flops(model, q.tokens, q.options.sequence_length, q.options.recompute_activations);
  const double micro_batches = q.micro_batches > 0 ? q.micro_batches : 4.0 * pp;
  e.mfu_simulated = !q.mfu.has_value();
  e.mfu = q.mfu ? *q.mfu : simulated_mfu(cost, gpu, q, micro_batches);
  if (e.mfu <= 0 || e.mfu > 1) throw std::invalid_argument("MFU must lie in (0, 1]");
  e.seconds = e.model_flops / (q.gpus * gpu.peak_flops(precision.compute) * e.mfu);
  e.gpu_hours = e.seconds * q.gpus / 3600;
  e.memory_per_gpu = training_memory_per_gpu(cost, q.options);
  e.available_per_gpu = gpu.memory_bytes;
  e.fits = e.memory_per_gpu.total() <= e.available_per_gpu;
  return e;
}

}  // namespace cs
