#include "sim/llm/iteration_model.hpp"

#include <algorithm>
#include <stdexcept>

namespace cs {

Bound PhaseTime::bound() const {
  if (host_stall_s > gpu.roofline_s) return Bound::kHostLink;
  return gpu.bound();
}

IterationModel::IterationModel(const TransformerSpec& model, const GpuSpec& gpu, const ModelPrecision& precision,
                               const ParallelPlan& plan, std::optional<StreamingPlan> streaming,
                               CommunicationCost communication, EngineProfile engine)
    : cost_(model, precision, plan),
      gpu_(gpu),
      streaming_(std::move(streaming)),
      communication_(std::move(communication)),
      engine_(std::move(engine)),
      rates_(gpu_),
      // Only the paths a plan uses: a GPU with no link would otherwise price PCIe for nothing.
      tp_path_(cost_.plan().tp > 1 ? group_path(gpu_, cost_.plan().tp) : LinkPath{}),
      pp_path_(cost_.plan().pp > 1 ? group_path(gpu_, cost_.plan().replica_gpus()) : LinkPath{}),
      ep_path_(cost_.plan().ep > 1 ? group_path(gpu_, cost_.plan().tp * cost_.plan().ep) : LinkPath{}) {
  validate(engine_);
  if (engine_.bare()) return;
  const Dtype compute = precision.compute;
  const double fp8 = gpu_.effective_compute_dtype(compute) == Dtype::kFp8 ? engine_.fp8_efficiency : 1.0;
  dense_flops_per_s_ = gpu_.peak_flops(compute) * gpu_.efficiency.compute * fp8;
  const Dtype attention = cost_.layer_attention_work(IterationShape{}).dtype;
  const double attention_efficiency =
      engine_.attention_efficiency > 0 ? engine_.attention_efficiency : gpu_.efficiency.compute;
  attention_flops_per_s_ = gpu_.peak_flops(attention) * attention_efficiency;
  hbm_bytes_per_s_ = gpu_.memory_bandwidth_bytes_per_s * gpu_.efficiency.memory;
  kv_streams_per_sequence_ = kv_heads_per_gpu(model, plan.tp);
  // Kernels by class: a layer's attention kernel, its other kernels (MoE routing included),
  // its TP all-reduces; the embedding, head and sampling once per iteration.
  dense_kernels_per_layer_ = engine_.kernels_per_layer - 1 + (model.is_moe() ? 2 : 0);
  comm_kernels_per_layer_ = plan.tp > 1 ? TransformerCost::kTpAllReducesPerLayer : 0;
  kernels_per_iteration_ =
      model.layers * (dense_kernels_per_layer_ + 1 + comm_kernels_per_layer_) + engine_.kernels_per_iteration;
}

namespace {
// The fraction of its large-problem rate a kernel reaches at size x: x / (x + half).
double saturation(double x, double half) {
  return half > 0 ? x / (x + half) : 1.0;
}
}  // namespace

KernelTime IterationModel::engine_attention(const IterationShape& s) const {
  const KernelWork w = cost_.layer_attention_work(s);
  // Mean context a new token attends to: FlashAttention's tiles fill with it.
  const double context = s.new_tokens > 0 ? s.attended_pairs / s.new_tokens : 0;
  const double flops_per_s = attention_flops_per_s_ * saturation(context, engine_.attention_half_context);
  double bytes_per_s = hbm_bytes_per_s_;
  if (engine_.attention_stream_bytes_per_s > 0) {
    const double streams = s.sequences * kv_streams_per_sequence_ * engine_.attention_stream_bytes_per_s;
    if (streams < bytes_per_s) bytes_per_s = streams;
  }
  return roofline_at(flops_per_s, bytes_per_s, 0, w);
}

PhaseTime IterationModel::time(const IterationShape& s) const {
  return time(token_terms(s), s);
}

IterationModel::TokenTerms IterationModel::token_terms(const IterationShape& s) const {
  const TransformerSpec& m = cost_.model();
  const ParallelPlan& plan = cost_.plan();
  TokenTerms k;
  k.sequences = s.sequences;
  k.prompts = s.prompts;
  k.new_tokens = s.new_tokens;
  k.logit_tokens = s.logit_tokens;
  double all_reduce_s = 0;  // one TP all-reduce
  if (plan.tp > 1) {
    const double bytes = cost_.tp_all_reduce_bytes(s);
    all_reduce_s = communication_.tp_all_reduce_s ? communication_.tp_all_reduce_s(bytes)
                                                  : all_reduce_seconds(bytes, plan.tp, tp_path_);
    k.tp_comm_s = m.layers * TransformerCost::kTpAllReducesPerLayer * all_reduce_s;
  }
  if (plan.pp > 1) {
    const double bytes = cost_.pp_transfer_bytes(s);
    k.pp_comm_s = (plan.pp - 1) *
                  (communication_.pp_send_s ? communication_.pp_send_s(bytes) : send_recv_seconds(bytes, pp_path_));
  }
  if (plan.ep > 1) {
    const double bytes = cost_.ep_all_to_all_bytes(s);
    const double one = communication_.ep_all_to_all_s ? communication_.ep_all_to_all_s(bytes)
                                                       : all_to_all_seconds(bytes, plan.ep, ep_path_);
    k.ep_comm_s = m.moe_layers() * 2 * one;  // dispatch and combine in every MoE layer
  }

  if (engine_.bare()) {
    k.layer_dense = rates_.time(cost_.layer_dense_work(s));
    k.embedding = rates_.time(cost_.embedding_work(s));
    k.lm_head = rates_.time(cost_.lm_head_work(s));
    return k;
  }
  // Kernel launches are the engine's (gaps and dispatch below), not the roofline's.
  const double gemm = dense_flops_per_s_ * saturation(s.new_tokens, engine_.gemm_half_tokens);
  k.layer_dense = roofline_at(gemm, hbm_bytes_per_s_, 0, cost_.layer_dense_work(s));
  k.embedding = roofline_at(gemm, hbm_bytes_per_s_, 0, cost_.embedding_work(s));
  const double head = dense_flops_per_s_ * saturation(s.logit_tokens, engine_.gemm_half_tokens);
  k.lm_head = roofline_at(head, hbm_bytes_per_s_, 0, cost_.lm_head_work(s));
  if (s.new_tokens <= 0) return k;
  const double gap = engine_.kernel_gap_s;
  k.kernel_gaps_s = kernels_per_iteration_ * gap;
  // An eager kernel cannot start before the host has launched it: a class of kernels takes the
  // longer of its GPU time and its dispatch, so dispatch shows where kernels are short.
  const bool graph = s.prompts == 0 && s.sequences <= engine_.cuda_graph_max_sequences;
  k.attention_dispatch_s = graph ? 0 : engine_.kernel_dispatch_s;
  const double d = k.attention_dispatch_s;
  const double dense_gpu = k.layer_dense.seconds() + dense_kernels_per_layer_ * gap;
  const double head_gpu = k.embedding.seconds() + k.lm_head.seconds() + engine_.kernels_per_iteration * gap;
  k.dispatch_stall_s = m.layers * (std::max(0.0, dense_kernels_per_layer_ * d - dense_gpu) +
                                   comm_kernels_per_layer_ * std::max(0.0, d - (all_reduce_s + gap))) +
                       std::max(0.0, engine_.kernels_per_iteration * d - head_gpu);
  k.host_s =
      engine_.host_iteration_s + (s.prompts > 0 ? engine_.host_prefill_s : 0) + engine_.host_sequence_s * s.sequences;
  return k;
}

PhaseTime IterationModel::time(const TokenTerms& k, const IterationShape& s) const {
  if (s.new_tokens != k.new_tokens || s.logit_tokens != k.logit_tokens || s.sequences != k.sequences ||
      s.prompts != k.prompts)
    throw std::invalid_argument("iteration token terms were computed for another number of tokens");
  const TransformerSpec& m = cost_.model();
  const ParallelPlan& plan = cost_.plan();
  PhaseTime t;

  KernelTime layer = k.layer_dense;
  if (engine_.bare()) {
    layer += rates_.time(cost_.layer_attention_work(s));
  } else {
    const KernelTime attention = engine_attention(s);
    layer += attention;
    t.dispatch_stall_s =
        k.dispatch_stall_s +
        m.layers * std::max(0.0, k.attention_dispatch_s - (attention.seconds() + engine_.kernel_gap_s));
  }
  t.gpu = layer.times(m.layers);
  t.gpu += k.embedding;
  t.gpu += k.lm_head;
  t.gpu.launch_s += k.kernel_gaps_s;
  t.tp_comm_s = k.tp_comm_s;
  t.pp_comm_s = k.pp_comm_s;
  t.ep_comm_s = k.ep_comm_s;
  t.host_s = k.host_s;

  if (streaming_ && streaming_->streamed_layers > 0) {
    // Every stage streams the same number of layers; a pass visits all pp stages.
    const double bytes = streaming_->layer_bytes_per_gpu;
    const double copy_s = communication_.host_copy_s ? communication_.host_copy_s(bytes)
                                                     : bytes / streaming_->host_bandwidth_bytes_per_s;
    const double streamed = double(streaming_->streamed_layers) * plan.pp;
    t.host_stall_s = streamed * std::max(0.0, copy_s - layer.seconds());
  }
  return t;
}

}  // namespace cs
