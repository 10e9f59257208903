#include "sim/llm/iteration_model.hpp"

#include <algorithm>

#include "sim/hardware/link_estimate.hpp"

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
      communication_(std::move(communication)) {}

PhaseTime IterationModel::time(const IterationShape& s) const {
  const TransformerSpec& m = cost_.model();
  const ParallelPlan& plan = cost_.plan();
  PhaseTime t;

  KernelTime layer = roofline_time(gpu_, cost_.layer_dense_work(s));
  layer += roofline_time(gpu_, cost_.layer_attention_work(s));
  t.gpu = layer.times(m.layers);
  t.gpu += roofline_time(gpu_, cost_.embedding_work(s));
  t.gpu += roofline_time(gpu_, cost_.lm_head_work(s));

  if (plan.tp > 1) {
    const double bytes = cost_.tp_all_reduce_bytes(s);
    const double one = communication_.tp_all_reduce_s ? communication_.tp_all_reduce_s(bytes)
                                                      : all_reduce_seconds(bytes, plan.tp, group_path(gpu_, plan.tp));
    t.tp_comm_s = m.layers * TransformerCost::kTpAllReducesPerLayer * one;
  }
  if (plan.pp > 1) {
    const double bytes = cost_.pp_transfer_bytes(s);
    t.pp_comm_s =
        (plan.pp - 1) * (communication_.pp_send_s ? communication_.pp_send_s(bytes)
                                                  : send_recv_seconds(bytes, group_path(gpu_, plan.replica_gpus())));
  }
  if (plan.ep > 1)
    t.ep_comm_s =
        m.layers * 2 * all_to_all_seconds(cost_.ep_all_to_all_bytes(s), plan.ep, group_path(gpu_, plan.tp * plan.ep));

  if (streaming_ && streaming_->streamed_layers > 0) {
    // Every stage streams the same number of layers; a pass visits all pp stages.
    const double copy_s = streaming_->layer_bytes_per_gpu / streaming_->host_bandwidth_bytes_per_s;
    const double streamed = double(streaming_->streamed_layers) * plan.pp;
    t.host_stall_s = streamed * std::max(0.0, copy_s - layer.seconds());
  }
  return t;
}

}  // namespace cs
