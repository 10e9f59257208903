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
                               CommunicationCost communication)
    : cost_(model, precision, plan),
      gpu_(gpu),
      streaming_(std::move(streaming)),
      communication_(std::move(communication)),
      rates_(gpu_),
      // Only the paths a plan uses: a GPU with no link would otherwise price PCIe for nothing.
      tp_path_(cost_.plan().tp > 1 ? group_path(gpu_, cost_.plan().tp) : LinkPath{}),
      pp_path_(cost_.plan().pp > 1 ? group_path(gpu_, cost_.plan().replica_gpus()) : LinkPath{}),
      ep_path_(cost_.plan().ep > 1 ? group_path(gpu_, cost_.plan().tp * cost_.plan().ep) : LinkPath{}) {}

PhaseTime IterationModel::time(const IterationShape& s) const {
  return time(token_terms(s), s);
}

IterationModel::TokenTerms IterationModel::token_terms(const IterationShape& s) const {
  const TransformerSpec& m = cost_.model();
  const ParallelPlan& plan = cost_.plan();
  TokenTerms k;
  k.new_tokens = s.new_tokens;
  k.logit_tokens = s.logit_tokens;
  k.layer_dense = rates_.time(cost_.layer_dense_work(s));
  k.embedding = rates_.time(cost_.embedding_work(s));
  k.lm_head = rates_.time(cost_.lm_head_work(s));

  if (plan.tp > 1) {
    const double bytes = cost_.tp_all_reduce_bytes(s);
    const double one = communication_.tp_all_reduce_s ? communication_.tp_all_reduce_s(bytes)
                                                      : all_reduce_seconds(bytes, plan.tp, tp_path_);
    k.tp_comm_s = m.layers * TransformerCost::kTpAllReducesPerLayer * one;
  }
  if (plan.pp > 1) {
    const double bytes = cost_.pp_transfer_bytes(s);
    k.pp_comm_s = (plan.pp - 1) *
                  (communication_.pp_send_s ? communication_.pp_send_s(bytes) : send_recv_seconds(bytes, pp_path_));
  }
  if (plan.ep > 1) k.ep_comm_s = m.layers * 2 * all_to_all_seconds(cost_.ep_all_to_all_bytes(s), plan.ep, ep_path_);
  return k;
}

PhaseTime IterationModel::time(const TokenTerms& k, const IterationShape& s) const {
  if (s.new_tokens != k.new_tokens || s.logit_tokens != k.logit_tokens)
    throw std::invalid_argument("iteration token terms were computed for another number of tokens");
  const TransformerSpec& m = cost_.model();
  const ParallelPlan& plan = cost_.plan();
  PhaseTime t;

  KernelTime layer = k.layer_dense;
  layer += rates_.time(cost_.layer_attention_work(s));
  t.gpu = layer.times(m.layers);
  t.gpu += k.embedding;
  t.gpu += k.lm_head;
  t.tp_comm_s = k.tp_comm_s;
  t.pp_comm_s = k.pp_comm_s;
  t.ep_comm_s = k.ep_comm_s;

  if (streaming_ && streaming_->streamed_layers > 0) {
    // Every stage streams the same number of layers; a pass visits all pp stages.
    const double copy_s = streaming_->layer_bytes_per_gpu / streaming_->host_bandwidth_bytes_per_s;
    const double streamed = double(streaming_->streamed_layers) * plan.pp;
    t.host_stall_s = streamed * std::max(0.0, copy_s - layer.seconds());
  }
  return t;
}

}  // namespace cs
