#include "sim/training/training_iteration.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include "sim/hardware/roofline.hpp"
#include "sim/llm/memory_model.hpp"
#include "sim/llm/transformer_cost.hpp"

namespace cs {

namespace {

// Without fused attention, per element of the s x s score matrix (16-bit): QK^T writes it (2),
// the fused scale-mask-softmax reads and writes it (4), dropout reads it and writes it and its
// 1-byte mask (5), and the AV GEMM reads it (2).
constexpr double kScoreBytesForward = 13;

// The CP ranks of a replica hold the same weights: ZeRO shards over dp x cp.
ParallelPlan plan_of(const TrainingJobSpec& spec) {
  return ParallelPlan{spec.parallel.tp, spec.parallel.pp, spec.parallel.dp * spec.parallel.cp, spec.parallel.ep};
}

void validate_spec(const TrainingJobSpec& spec) {
  const TrainingParallelism& p = spec.parallel;
  if (spec.global_batch_sequences <= 0 || spec.sequence_length <= 0)
    throw std::invalid_argument("training job " + spec.name + ": global batch and sequence length must be positive");
  if (p.micro_batch_size < 1 || p.virtual_stages < 1)
    throw std::invalid_argument("training job " + spec.name + ": micro-batch size and virtual stages must be >= 1");
  if (spec.global_batch_sequences % (p.micro_batch_size * p.dp) != 0)
    throw std::invalid_argument("training job " + spec.name + ": global batch " +
                                std::to_string(spec.global_batch_sequences) + " is not a multiple of micro-batch x dp");
  if (p.zero_stage < 0 || p.zero_stage > 3)
    throw std::invalid_argument("training job " + spec.name + ": ZeRO stage must be 0-3");
  if (p.recompute_activations && p.selective_recompute)
    throw std::invalid_argument("training job " + spec.name + ": full and selective recomputation exclude each other");
  if (p.cp < 1) throw std::invalid_argument("training job " + spec.name + ": cp must be >= 1");
  if (p.ep < 1 || p.moe_capacity_factor < 1)
    throw std::invalid_argument("training job " + spec.name + ": ep and the MoE capacity factor must be >= 1");
  if (p.ep > 1 && p.dp % p.ep != 0)
    throw std::invalid_argument("training job " + spec.name + ": ep ranks come from dp, so ep must divide dp");
  if (p.ep > 1 && (!spec.model.is_moe() || spec.model.experts % p.ep != 0))
    throw std::invalid_argument("training job " + spec.name + ": ep must divide the experts of an MoE model");
  if (p.cp > 1 && (!spec.flash_attention || spec.sequence_length % (2 * p.cp) != 0))
    throw std::invalid_argument("training job " + spec.name +
                                ": context parallelism needs fused attention and a sequence length divisible by 2 x cp");
  if (p.virtual_stages > 1 && spec.model.layers % (p.pp * p.virtual_stages) != 0)
    throw std::invalid_argument(
        "training job " + spec.name + ": " + std::to_string(spec.model.layers) +
        " layers do not split into pp x virtual stages = " + std::to_string(p.pp * p.virtual_stages) + " equal chunks");
}

// A KernelWork repeated `n` times (backward = 2 forwards' work).
KernelWork scaled(KernelWork w, double n) {
  w.flops *= n;
  w.bytes *= n;
  w.launches *= n;
  return w;
}

struct LayerWork {
  KernelWork gemm;         // matrix multiplies + the weights they read
  KernelWork elementwise;  // norms, activation, dropout, residual: memory-bound
  KernelWork attention;
  // fp8 delayed scaling: casting each GEMM operand to fp8 (forward: the inputs; backward: the
  // output gradients). Empty in 16-bit training.
  KernelWork fp8_cast_forward;
  KernelWork fp8_cast_backward;
};

bool fp8_training(const TrainingJobSpec& spec) { return spec.precision.compute == Dtype::kFp8; }

// Transformer Engine's fused cast-transpose (with the amax of its input folded in) per fp8
// GEMM operand element: reads the bf16 tensor (2 bytes), writes it in fp8 (1) and its fp8
// transpose for the other backward GEMM (1). One kernel per GEMM operand.
constexpr double kFp8CastBytesPerElement = 4;
// Delayed scaling keeps, per fp8 tensor (a GEMM's input, weight and output gradient), a history
// of its amax values, from which the next step's scale is derived: Transformer Engine's
// DelayedScaling default amax_history_len = 1024 fp32 entries, read and rolled once per step.
constexpr double kFp8AmaxHistory = 1024;
constexpr double kFp8TensorsPerGemm = 3;
constexpr double kFp8GemmsPerLayer = 4;  // QKV, attention output, FC1, FC2

// The operands one GPU casts to fp8 per layer and micro-batch of `tokens` tokens (TP-sharded
// dimensions / tp; the inputs of the column-parallel QKV and FC1 GEMMs are the whole hidden
// state). Forward: the four GEMMs' inputs; backward: their output gradients. Routed experts
// are visited k times per token.
std::pair<KernelWork, KernelWork> fp8_cast_work(const TransformerSpec& m, double tp, double tokens) {
  const double h = m.hidden, q = m.q_dim() / tp, kv = m.kv_dim() / tp, f = m.ffn_hidden / tp;
  const double g = m.ffn_kind == FfnKind::kSwiGlu ? 2 : 1;
  const double k = m.experts_per_token;
  KernelWork forward, backward;
  forward.dtype = backward.dtype = Dtype::kBf16;
  forward.bytes = tokens * (h + q + k * (h + f)) * kFp8CastBytesPerElement;
  backward.bytes = tokens * ((q + 2 * kv) + h + k * (g * f + h)) * kFp8CastBytesPerElement;
  forward.launches = backward.launches = 2 + 2 * k;
  return {forward, backward};
}

LayerWork layer_work(const TransformerCost& cost, const TrainingJobSpec& spec, const IterationShape& mb) {
  LayerWork w;
  const KernelWork dense = cost.layer_dense_work(mb);
  const double weights = cost.layer_weight_bytes_per_gpu();
  w.gemm = dense;
  w.gemm.bytes = weights;
  // The busiest expert rank computes capacity factor x the mean expert tokens.
  const TransformerSpec& model = cost.model();
  if (model.is_moe())
    w.gemm.flops += (spec.parallel.moe_capacity_factor - 1) * 2 * mb.new_tokens * model.experts_per_token *
                    count_parameters(model).expert_ffn / spec.parallel.tp;
  w.elementwise.dtype = dense.dtype;
  w.elementwise.bytes = std::max(0.0, dense.bytes - weights);
  // Context parallelism: a rank's s/cp queries (two load-balanced chunks of 2 cp) attend to
  // the causal keys of the whole sequence: 1/cp of the full sequence's attention work, in cp
  // ring steps.
  const double cp = spec.parallel.cp;
  w.attention = cost.layer_attention_work(training_shape(spec.parallel.micro_batch_size, spec.sequence_length));
  if (cp > 1) {
    w.attention.flops /= cp;
    w.attention.bytes /= cp;
    w.attention.launches *= cp;
  }
  if (fp8_training(spec)) {
    // Transformer Engine runs the GEMMs of each layer in fp8 and reads the fp8 copy of the
    // weights (cast once per step); attention (DotProductAttention) and the elementwise work
    // stay in bf16.
    w.gemm.bytes = weights / dtype_bytes(cost.precision().weights) * dtype_bytes(Dtype::kFp8);
    w.elementwise.dtype = w.attention.dtype = spec.precision.activations;
    std::tie(w.fp8_cast_forward, w.fp8_cast_backward) =
        fp8_cast_work(cost.model(), spec.parallel.tp, mb.new_tokens);
  }
  // Sequence parallelism: the norms, dropouts and residuals work on 1/tp of the sequence.
  if (spec.parallel.sequence_parallel) {
    w.elementwise.bytes /= spec.parallel.tp;
    w.elementwise.flops /= spec.parallel.tp;
  }
  if (!spec.flash_attention) {
    const TransformerSpec& m = cost.model();
    const double b = spec.parallel.micro_batch_size, s = spec.sequence_length, t = spec.parallel.tp;
    const double scores = double(m.heads) / t * s * s * b;
    // The masked upper triangle is computed too: the GEMMs run over the full matrix.
    w.attention.flops = 4.0 * m.q_dim() / t * s * s * b;
    w.attention.bytes += scores * kScoreBytesForward;
  }
  return w;
}

double seconds(const GpuSpec& gpu, const LayerWork& w, double passes) {
  return roofline_time(gpu, scaled(w.gemm, passes)).seconds() +
         roofline_time(gpu, scaled(w.elementwise, passes)).seconds() +
         roofline_time(gpu, scaled(w.attention, passes)).seconds();
}

double cast_seconds(const GpuSpec& gpu, const KernelWork& cast) {
  return cast.bytes > 0 ? roofline_time(gpu, cast).seconds() : 0;
}

}  // namespace

double pp_handoff_bytes(const TrainingJobSpec& spec) {
  const TrainingParallelism& par = spec.parallel;
  const TransformerCost cost(spec.model, spec.precision, plan_of(spec));
  const IterationShape mb = training_shape(par.micro_batch_size, double(spec.sequence_length) / par.cp);
  return double(spec.micro_batches()) * par.virtual_stages * cost.pp_transfer_bytes(mb) / par.tp;
}

double dp_gradient_bytes(const TrainingJobSpec& spec) {
  const TransformerCost cost(spec.model, spec.precision, plan_of(spec));
  return parameters_per_gpu(cost) * dtype_bytes(spec.gradient_dtype);
}

std::vector<CollectiveRequest> dp_reduction_collectives(const TrainingJobSpec& spec, std::span<const VertexId> group) {
  std::vector<CollectiveRequest> out;
  if (group.size() < 2) return out;
  // Megatron's distributed optimizer reduce-scatters the gradient buffer (gradient_dtype) and
  // all-gathers the updated parameters in their own format (bf16 or fp16; fp8 training keeps
  // 16-bit weights and casts them per step).
  const double gradients = dp_gradient_bytes(spec);
  const double weights = gradients / dtype_bytes(spec.gradient_dtype) * dtype_bytes(spec.precision.weights);
  const std::vector<VertexId> g(group.begin(), group.end());
  auto add = [&](CollectiveOp op, double bytes) {
    out.push_back(CollectiveRequest{op, g, bytes, CollectiveAlgorithm::kAuto, 0});
  };
  if (spec.parallel.zero_stage == 0) {
    add(CollectiveOp::kAllReduce, gradients);
  } else {
    add(CollectiveOp::kReduceScatter, gradients);
    add(CollectiveOp::kAllGather, weights);
    if (spec.parallel.zero_stage >= 3) add(CollectiveOp::kAllGather, weights);
  }
  return out;
}

TrainingOptions training_memory_options(const TrainingJobSpec& spec) {
  const TrainingParallelism& p = spec.parallel;
  TrainingOptions o;
  o.zero_stage = p.zero_stage;
  o.recompute_activations = p.recompute_activations;
  o.selective_recompute = p.selective_recompute;
  o.flash_attention = spec.flash_attention;
  o.sequence_parallel = p.sequence_parallel;
  o.sequence_length = double(spec.sequence_length) / p.cp;  // each rank's chunk
  o.micro_batch = p.micro_batch_size;
  o.micro_batches = spec.micro_batches();
  o.virtual_stages = p.virtual_stages;
  o.gradient_bytes = dtype_bytes(spec.gradient_dtype);
  o.weight_cache_bytes = fp8_training(spec) ? 2 * dtype_bytes(Dtype::kFp8) : 0;
  return o;
}

TrainingMemory training_job_memory(const TrainingJobSpec& spec) {
  return training_memory_per_gpu(TransformerCost(spec.model, spec.precision, plan_of(spec)),
                                 training_memory_options(spec));
}

double cp_kv_bytes_per_step(const TrainingJobSpec& spec) {
  const TrainingParallelism& p = spec.parallel;
  const double kv = double(kv_heads_per_gpu(spec.model, p.tp)) * spec.model.head_dim_or_default();
  return 2.0 * p.micro_batch_size * spec.sequence_length / p.cp * kv * dtype_bytes(spec.precision.activations);
}

double ep_all_to_all_bytes(const TrainingJobSpec& spec) {
  const TrainingParallelism& p = spec.parallel;
  const TransformerCost cost(spec.model, spec.precision, plan_of(spec));
  const IterationShape mb = training_shape(p.micro_batch_size, double(spec.sequence_length) / p.cp);
  return cost.ep_all_to_all_bytes(mb) * p.moe_capacity_factor;
}

double megatron_flops_per_iteration(const TrainingJobSpec& spec) {
  const double B = spec.global_batch_sequences, s = spec.sequence_length, l = spec.model.layers, h = spec.model.hidden,
               V = spec.model.vocab;
  const double passes = spec.parallel.recompute_activations ? 4 : 3;
  // Selective recomputation repeats the attention's QK^T and AV: one more 4 B s^2 l h.
  const double selective = spec.parallel.selective_recompute ? 4 * B * s * s * l * h : 0;
  return passes * (24 * B * s * l * h * h + 4 * B * s * s * l * h) + selective + 6 * B * s * h * V;
}

struct TrainingIterationModel::Idle {
  Router router;
  Engine engine{1};
  FlowNetwork network;
  CollectiveTuning tuning;
  CollectiveCostModel cost;
  Idle(const Topology& topo, const LinkEfficiency& efficiency, CollectiveTuning t)
      : router(topo), network(engine, router, efficiency), tuning(std::move(t)), cost(network, tuning) {}
};

TrainingIterationModel::TrainingIterationModel(const Topology& topo, LinkEfficiency efficiency, CollectiveTuning tuning,
                                               CollectiveAlgorithm dp_algorithm)
    : topo_(topo),
      own_(std::make_unique<Idle>(topo, efficiency, std::move(tuning))),
      tuning_(own_->tuning),
      cost_(own_->cost),
      dp_algorithm_(dp_algorithm) {}

TrainingIterationModel::TrainingIterationModel(const Topology& topo, CollectiveCostModel& idle,
                                               const CollectiveTuning& tuning, CollectiveAlgorithm dp_algorithm)
    : topo_(topo), tuning_(tuning), cost_(idle), dp_algorithm_(dp_algorithm) {}

TrainingIterationModel::~TrainingIterationModel() = default;

TrainingIterationResult TrainingIterationModel::time(const TrainingJobSpec& spec, std::span<const VertexId> gpus,
                                                     double usd_per_gpu_hour) {
  return compute(spec, gpus, nullptr, usd_per_gpu_hour);
}

TrainingIterationResult TrainingIterationModel::time_with_dp(const TrainingJobSpec& spec,
                                                             std::span<const VertexId> gpus, double dp_comm_s,
                                                             double usd_per_gpu_hour) {
  return compute(spec, gpus, &dp_comm_s, usd_per_gpu_hour);
}

TrainingIterationResult TrainingIterationModel::time_contended(const TrainingJobSpec& spec,
                                                               std::span<const VertexId> gpus, double dp_comm_s,
                                                               double pp_extra_s_per_byte) {
  return compute(spec, gpus, &dp_comm_s, 0, pp_extra_s_per_byte);
}

CollectiveAlgorithm TrainingIterationModel::dp_algorithm_for(const CollectiveRequest& r) {
  return dp_algorithm_ == CollectiveAlgorithm::kAuto || !cost_.supports(r.op, dp_algorithm_, r.group)
             ? cost_.best(r.op, r.group, r.bytes)
             : dp_algorithm_;
}

std::vector<DpCollective> TrainingIterationModel::dp_plan(const TrainingJobSpec& spec,
                                                          std::span<const VertexId> group) {
  std::vector<DpCollective> out;
  for (CollectiveRequest& r : dp_reduction_collectives(spec, group)) {
    r.algorithm = dp_algorithm_for(r);
    const CollectiveProtocol protocol = tuning_.protocol != CollectiveProtocol::kAuto
                                            ? tuning_.protocol
                                            : cost_.best_protocol(r.op, r.algorithm, r.group, r.bytes);
    out.push_back({std::move(r), protocol});
  }
  return out;
}

double TrainingIterationModel::dp_seconds(const TrainingJobSpec& spec, std::span<const VertexId> group) {
  double total = 0;
  for (const CollectiveRequest& r : dp_reduction_collectives(spec, group)) {
    total += cost_.estimate_seconds(r.op, dp_algorithm_for(r), r.group, r.bytes);
  }
  return total;
}

TrainingIterationResult TrainingIterationModel::compute(const TrainingJobSpec& spec, std::span<const VertexId> gpus,
                                                        const double* dp_comm_s, double usd_per_gpu_hour,
                                                        double pp_extra_s_per_byte) {
  validate_spec(spec);
  const RankLayout layout = rank_layout(spec.parallel, gpus);
  const TrainingParallelism& par = spec.parallel;
  const TransformerCost cost(spec.model, spec.precision, plan_of(spec));
  const GpuSpec& gpu = spec.gpu;
  // Per GPU: its 1/cp of each sequence (dense work, TP and PP traffic scale with it).
  const IterationShape mb = training_shape(par.micro_batch_size, double(spec.sequence_length) / par.cp);
  const int m = spec.micro_batches();
  const int v = par.virtual_stages;
  // Balanced split: the first (layers % pp) stages take one layer more.
  auto stage_layers = [&](int d) {
    return double(spec.model.layers / par.pp + (d < spec.model.layers % par.pp ? 1 : 0));
  };

  // One layer, one micro-batch.
  const LayerWork lw = layer_work(cost, spec, mb);
  const double layer_forward = seconds(gpu, lw, 1) + cast_seconds(gpu, lw.fp8_cast_forward);
  const double attention_forward = roofline_time(gpu, lw.attention).seconds();
  const double layer_backward = seconds(gpu, lw, 2) + cast_seconds(gpu, lw.fp8_cast_backward) +
                                (par.recompute_activations ? layer_forward : 0) +
                                (par.selective_recompute ? attention_forward : 0);
  const double w = dtype_bytes(spec.precision.weights);
  const double g = dtype_bytes(spec.gradient_dtype);
  double tp_all_reduce = 0;
  if (par.tp > 1) {
    const std::vector<VertexId>& group = layout.tp_groups.front();
    const double bytes = cost.tp_all_reduce_bytes(mb);
    auto priced = [&](CollectiveOp op) {
      return cost_.estimate_seconds(op, cost_.best(op, group, bytes), group, bytes);
    };
    // Sequence parallelism: a reduce-scatter + all-gather of the same activations instead.
    tp_all_reduce = par.sequence_parallel ? priced(CollectiveOp::kReduceScatter) + priced(CollectiveOp::kAllGather)
                                          : priced(CollectiveOp::kAllReduce);
  }
  // Ring attention (context parallelism): cp - 1 steps per attention forward, each sending
  // this rank's current K, V chunk to the next CP rank while attending to the one it holds;
  // the backward sends K, V and their gradients (2x the bytes) against 2x the compute. Exposed
  // per step: what outlasts the step's attention.
  double cp_forward = 0, cp_backward = 0;
  if (par.cp > 1) {
    const std::vector<VertexId> pair{layout.gpu(0, 0, 0, 0), layout.gpu(0, 0, 0, 1)};
    const double bytes = cp_kv_bytes_per_step(spec);
    auto send = [&](double b) {
      return cost_.estimate_seconds(CollectiveOp::kSendRecv, CollectiveAlgorithm::kDirect, pair, b);
    };
    const double step = attention_forward / par.cp;
    cp_forward = (par.cp - 1) * std::max(0.0, send(bytes) - step);
    cp_backward = (par.cp - 1) * std::max(0.0, send(2 * bytes) - 2 * step) +
                  (par.recompute_activations ? cp_forward : 0);
  }
  // Expert parallelism: per MoE layer and pass a dispatch and a combine all-to-all among the
  // ep ranks (one more pair recomputing), not overlapped.
  double ep_forward = 0;
  if (par.ep > 1) {
    std::vector<VertexId> group;
    for (int d = 0; d < par.ep; ++d) group.push_back(layout.gpu(d, 0, 0));
    const double bytes = ep_all_to_all_bytes(spec);
    ep_forward = 2 * cost_.estimate_seconds(CollectiveOp::kAllToAll, cost_.best(CollectiveOp::kAllToAll, group, bytes),
                                            group, bytes);
  }
  const double ep_backward = ep_forward * (par.recompute_activations ? 2 : 1);
  // TP overlapped with the GEMMs beside it: only what outlasts them is exposed, per pass.
  const double gemm_forward = roofline_time(gpu, lw.gemm).seconds();
  auto exposed_tp = [&](double tp, double gemm) { return par.tp_comm_overlap ? std::max(0.0, tp - gemm) : tp; };
  const double tp_forward =
      exposed_tp(TransformerCost::kTpAllReducesPerLayer * tp_all_reduce, gemm_forward) + cp_forward + ep_forward;
  const double tp_backward =
      exposed_tp(TransformerCost::kTpAllReducesPerLayer * tp_all_reduce, 2 * gemm_forward) +
      (par.recompute_activations ? exposed_tp(TransformerCost::kTpAllReducesPerLayer * tp_all_reduce, gemm_forward)
                                 : 0) +
      cp_backward + ep_backward;

  // The LM head stays in bf16 under fp8 training (Transformer Engine covers the layers).
  KernelWork head = cost.lm_head_work(mb);
  head.dtype = spec.precision.activations;
  const double head_forward = roofline_time(gpu, head).seconds();
  const double head_backward = roofline_time(gpu, scaled(head, 2)).seconds();
  const double embedding = roofline_time(gpu, cost.embedding_work(mb)).seconds();
  // Each micro-batch's weight gradients (written in the weight format by the wgrad GEMMs) are
  // added into the gradient buffer: write + read of the fresh gradient, read + write of the
  // buffer, as a separate memory-bound kernel per parameter tensor. Per layer, on one GPU.
  KernelWork accumulate;
  accumulate.dtype = spec.precision.compute;
  accumulate.bytes = cost.layer_weight_bytes_per_gpu() / w * (2 * w + 2 * g);
  const double layer_accumulate = roofline_time(gpu, accumulate).seconds();

  // Per stage, per micro-batch, all chunks: compute and TP parts.
  struct StageParts {
    double forward_compute, backward_compute, tp;
  };
  std::vector<StageParts> parts(par.pp);
  PipelineScheduleSpec sched;
  sched.micro_batches = m;
  sched.virtual_stages = v;
  for (int d = 0; d < par.pp; ++d) {
    StageParts& sp = parts[d];
    const double layers = stage_layers(d);
    sp.forward_compute = layers * layer_forward + (d == par.pp - 1 ? head_forward : 0) + (d == 0 ? embedding : 0);
    sp.backward_compute =
        layers * (layer_backward + layer_accumulate) + (d == par.pp - 1 ? head_backward : 0) + (d == 0 ? embedding : 0);
    sp.tp = layers * (tp_forward + tp_backward);
    sched.stages.push_back(PipelineStageTimes{(sp.forward_compute + layers * tp_forward) / v,
                                              (sp.backward_compute + layers * tp_backward) / v});
  }

  double pp_transfer = 0;
  if (par.pp > 1) {
    const double bytes = cost.pp_transfer_bytes(mb);
    const VertexId from = layout.gpu(0, 0, 0), to = layout.next_stage(0, 0, 0);
    const std::vector<VertexId> pair{from, to};
    pp_transfer = cost_.estimate_seconds(CollectiveOp::kSendRecv, CollectiveAlgorithm::kDirect, pair, bytes / par.tp);
    // Between nodes, others' traffic on the way leaves the send a smaller rate than idle links.
    if (topology().vertex(from).node != topology().vertex(to).node) pp_transfer += bytes / par.tp * pp_extra_s_per_byte;
    if (par.tp > 1) {
      const std::vector<VertexId>& group = layout.tp_groups[static_cast<std::size_t>(par.cp)];  // stage 1
      pp_transfer += cost_.estimate_seconds(CollectiveOp::kAllGather,
                                            cost_.best(CollectiveOp::kAllGather, group, bytes), group, bytes);
    }
  }

  const PipelineScheduleResult ideal = run_pipeline_schedule(sched);
  sched.transfer_s = pp_transfer;
  PipelineScheduleResult real = run_pipeline_schedule(sched);

  std::size_t busiest = 0;
  for (std::size_t d = 0; d < ideal.busy_s.size(); ++d)
    if (ideal.busy_s[d] > ideal.busy_s[busiest]) busiest = d;
  const StageParts& sp = parts[busiest];

  TrainingIterationResult r;
  r.forward_s = sp.forward_compute;
  r.backward_s = sp.backward_compute;
  r.tp_comm_per_micro_batch_s = sp.tp;
  r.cp_comm_per_micro_batch_s = stage_layers(static_cast<int>(busiest)) * (cp_forward + cp_backward);
  r.ep_comm_per_micro_batch_s = stage_layers(static_cast<int>(busiest)) * (ep_forward + ep_backward);
  r.pp_transfer_s = pp_transfer;
  IterationBreakdown& b = r.breakdown;
  b.compute_s = m * (sp.forward_compute + sp.backward_compute);
  b.tp_comm_s = m * sp.tp;
  b.bubble_s = ideal.makespan_s - ideal.busy_s[busiest];
  b.pp_comm_s = real.makespan_s - ideal.makespan_s;

  r.dp_comm_s = dp_comm_s ? *dp_comm_s : (par.dp * par.cp > 1 ? dp_seconds(spec, layout.dp_groups.front()) : 0);
  r.dp_overlap_window_s =
      par.overlap_dp_communication ? sp.backward_compute + stage_layers(static_cast<int>(busiest)) * tp_backward : 0;
  b.dp_comm_exposed_s = std::max(0.0, r.dp_comm_s - r.dp_overlap_window_s);

  // Adam on the parameters this GPU updates: ZeRO shards the dense ones over dp x cp, the
  // experts' over the dp x cp / ep ranks holding the same experts.
  const double expert = expert_parameters_per_gpu(cost);
  const double dp_ranks = par.dp * par.cp;
  const double params = par.zero_stage >= 1 ? (parameters_per_gpu(cost) - expert) / dp_ranks + expert / (dp_ranks / par.ep)
                                            : parameters_per_gpu(cost);
  const double master = w < 4 ? 4 : 0;
  KernelWork adam;
  adam.dtype = spec.precision.compute;
  adam.bytes = params * (g /*gradient*/ + 2 * (master + 8) /*master, m, v*/ + (master > 0 ? w : 0) /*weight*/);
  adam.launches = 1;
  b.optimizer_s = roofline_time(gpu, adam).seconds();
  if (fp8_training(spec)) {
    // Once per step, on all this GPU's weights: each is cast to fp8 with its transpose (read 2
    // bytes, write 2), and every fp8 tensor's amax history is rolled and its scale recomputed.
    const double layers = stage_layers(static_cast<int>(busiest));
    KernelWork bookkeeping;
    bookkeeping.dtype = spec.precision.activations;
    bookkeeping.bytes = layers * cost.layer_weight_bytes_per_gpu() / w * (w + 2 * dtype_bytes(Dtype::kFp8)) +
                        layers * kFp8GemmsPerLayer * kFp8TensorsPerGemm * kFp8AmaxHistory * 4 * 2;
    bookkeeping.launches = 2;
    b.optimizer_s += roofline_time(gpu, bookkeeping).seconds();
  }

  r.schedule = std::move(real);
  r.iteration_s = b.total_s();
  const double n_gpus = par.gpus();
  r.megatron_flops_per_iteration = megatron_flops_per_iteration(spec);
  r.achieved_flops_per_gpu = r.megatron_flops_per_iteration / (r.iteration_s * n_gpus);
  r.model_flops_per_iteration =
      training_flops(spec.model, spec.tokens_per_iteration(), spec.sequence_length, /*recompute_activations=*/false);
  r.mfu = r.model_flops_per_iteration / (r.iteration_s * n_gpus * gpu.peak_flops(spec.precision.compute));
  r.tokens_per_s = spec.tokens_per_iteration() / r.iteration_s;
  r.seconds_for_budget = spec.token_budget / r.tokens_per_s;
  r.gpu_hours_for_budget = r.seconds_for_budget * n_gpus / 3600;
  r.cost_usd = r.gpu_hours_for_budget * usd_per_gpu_hour;
  return r;
}

}  // namespace cs
