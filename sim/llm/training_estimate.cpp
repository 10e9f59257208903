#include "sim/llm/training_estimate.hpp"

#include <stdexcept>
#include <vector>

#include "sim/hardware/link_estimate.hpp"
#include "sim/llm/plan_search.hpp"

namespace cs {

namespace {

double simulated_mfu(const TransformerCost& cost, const GpuSpec& gpu, const TrainingQuery& q, double micro_batches) {
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
  const double comm = all_reduces * all_reduce_seconds(cost.tp_all_reduce_bytes(mb), plan.tp, group_path(gpu, plan.tp));
  const double micro_batch_s = passes * forward.seconds() + comm;  // all layers, one TP group
  const double stage_s = micro_batch_s / plan.pp;
  const double iteration_s = (micro_batches + plan.pp - 1) * stage_s;

  const double model_flops_per_gpu = micro_batches *
                                     training_flops(m, o.micro_batch * o.sequence_length, o.sequence_length, false) /
                                     plan.replica_gpus();
  return model_flops_per_gpu / (iteration_s * gpu.peak_flops(cost.precision().compute));
}

}  // namespace

TrainingEstimate estimate_training(const TransformerSpec& model, const GpuSpec& gpu, const TrainingQuery& q) {
  if (q.tokens <= 0) throw std::invalid_argument("training tokens must be positive");
  TrainingEstimate e;
  const ModelPrecision precision = precision_for(q.dtype);
  auto plan_with = [&](int tp, int pp) { return ParallelPlan{tp, pp, q.gpus / (tp * pp), 1}; };
  auto fits = [&](int tp, int pp) {
    const TransformerCost c(model, precision, plan_with(tp, pp));
    return training_memory_per_gpu(c, q.options).total() <= gpu.memory_bytes;
  };
  // As for serving: the smallest TP inside the link domain that fits without stages, else the
  // largest TP and the fewest stages that fit (the most stages possible when none does).
  std::vector<int> tps;
  for (int c : tensor_parallel_candidates(model, gpu))
    if (q.gpus % c == 0 && (q.tp <= 0 || c == q.tp)) tps.push_back(c);
  if (q.tp > 0 && tps.empty()) tps.push_back(q.tp);
  if (tps.empty()) tps.push_back(1);
  int tp = tps.back();
  int pp = q.pp;
  if (pp <= 0) {
    pp = 0;
    for (int c : tps)
      if (q.gpus % c == 0 && fits(c, 1)) {
        tp = c;
        pp = 1;
        break;
      }
    for (int candidate = 2; pp == 0 && candidate <= model.layers; ++candidate) {
      if (q.gpus % (tp * candidate) != 0) continue;
      if (fits(tp, candidate)) pp = candidate;
    }
    if (pp == 0)
      for (int candidate = model.layers; candidate >= 1 && pp == 0; --candidate)
        if (q.gpus % (tp * candidate) == 0) pp = candidate;
  }
  if (q.gpus % (tp * pp) != 0)
    throw std::invalid_argument("training on " + std::to_string(q.gpus) +
                                " GPUs needs a multiple of tp x pp = " + std::to_string(tp * pp));
  e.plan = plan_with(tp, pp);
  const TransformerCost cost(model, precision, e.plan);

  e.model_flops = training_flops(model, q.tokens, q.options.sequence_length, false);
  e.hardware_flops = training_flops(model, q.tokens, q.options.sequence_length, q.options.recompute_activations);
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
