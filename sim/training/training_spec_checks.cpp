#include "sim/training/training_spec_checks.hpp"

#include <string>
#include <utility>

namespace cs {

SpecProblems validate(const TrainingJobSpec& t) {
  SpecProblems out;
  const TrainingParallelism& p = t.parallel;
  // The sizes the splits below divide by: each at least one (ZeRO's stages are 0 to 3).
  if (t.global_batch_sequences < 1) out.push_back({"global_batch", "the global batch must be positive"});
  if (t.sequence_length < 1) out.push_back({"sequence_length", "the sequence length must be positive"});
  for (const auto& [key, value] : {std::pair<const char*, int>{"tp", p.tp}, {"pp", p.pp}, {"dp", p.dp}, {"cp", p.cp},
                                   {"ep", p.ep}, {"micro_batch", p.micro_batch_size},
                                   {"virtual_stages", p.virtual_stages}})
    if (value < 1) out.push_back({key, std::string(key) + " must be at least 1"});
  if (!(p.moe_capacity_factor >= 1)) out.push_back({"moe_capacity_factor", "the MoE capacity factor must be >= 1"});
  if (p.zero_stage < 0 || p.zero_stage > 3) out.push_back({"zero_stage", "the ZeRO stage must be 0, 1, 2 or 3"});
  if (!out.empty()) return out;
  if (p.ep > 1 && !t.model.is_moe())
    out.push_back({"ep", t.model.name + " has no experts to spread (ep needs an MoE model)"});
  else if (p.ep > 1 && (t.model.experts % p.ep != 0 || p.dp % p.ep != 0))
    out.push_back({"ep", "ep (" + std::to_string(p.ep) + ") must divide the model's " +
                             std::to_string(t.model.experts) + " experts and dp (" + std::to_string(p.dp) +
                             "): expert ranks come from the replicas"});
  if (p.recompute_activations && p.selective_recompute)
    out.push_back({"selective_recompute", "recompute (full) and selective_recompute exclude each other; set one"});
  // Every DP rank runs the same number of whole micro-batches per step.
  if (t.global_batch_sequences % (p.micro_batch_size * p.dp) != 0)
    out.push_back({"global_batch", "the global batch (" + std::to_string(t.global_batch_sequences) +
                                       ") must be a multiple of micro_batch x dp (" +
                                       std::to_string(p.micro_batch_size * p.dp) + ")"});
  // Without interleaving, a pipeline splits the layers as evenly as they go (the first
  // layers % pp stages take one more); the interleaved schedule needs equal chunks.
  if (p.virtual_stages > 1 && t.model.layers % (p.pp * p.virtual_stages) != 0)
    out.push_back({"pp", "the model's " + std::to_string(t.model.layers) +
                             " layers do not split into pp x virtual_stages = " +
                             std::to_string(p.pp * p.virtual_stages) + " equal chunks"});
  // Megatron's interleaved 1F1B schedules micro-batches in groups of pp.
  if (p.virtual_stages > 1 && t.micro_batches() % p.pp != 0)
    out.push_back({"virtual_stages", "the interleaved schedule needs the micro-batches per pipeline (" +
                                         std::to_string(t.micro_batches()) + ") to be a multiple of pp"});
  if (p.cp > 1 && !t.flash_attention)
    out.push_back({"cp", "context parallelism runs on fused (flash) attention; set flash_attention: true"});
  // Load-balanced ring attention gives each cp rank two chunks, one early and one late.
  if (p.cp > 1 && t.sequence_length % (2 * p.cp) != 0)
    out.push_back({"cp", "the sequence length (" + std::to_string(t.sequence_length) +
                             ") must split into 2 x cp load-balanced chunks"});
  return out;
}

SpecProblems validate(const FailureSpec& f) {
  SpecProblems out;
  if (!(f.gpu_mtbf_h >= 0)) out.push_back({"gpu_mtbf", "the MTBF must not be negative (0: none)"});
  if (!(f.node_mtbf_h >= 0)) out.push_back({"node_mtbf", "the MTBF must not be negative (0: none)"});
  if (f.repair_time <= Time{}) out.push_back({"repair_time", "the repair time must be positive"});
  if (f.spare_nodes < 0) out.push_back({"spare_nodes", "must not be negative"});
  return out;
}

SpecProblems validate(const CheckpointSpec& c) {
  SpecProblems out;
  if (c.interval < Time{}) out.push_back({"interval", "the checkpoint interval must not be negative"});
  if (c.write_time < Time{}) out.push_back({"write_time", "the write time must not be negative"});
  if (c.restart_overhead < Time{}) out.push_back({"restart", "the restart time must not be negative"});
  return out;
}

SpecProblems validate(const ClusterSchedulerSpec& s) {
  SpecProblems out;
  if (s.preemption_backoff < Time{}) out.push_back({"preemption_backoff", "the back-off must not be negative"});
  return out;
}

}  // namespace cs
