#include "sim/training/training_spec_checks.hpp"

#include <string>

namespace cs {

SpecProblems validate(const TrainingJobSpec& t) {
  SpecProblems out;
  const TrainingParallelism& p = t.parallel;
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
  if (t.model.layers % (p.pp * p.virtual_stages) != 0)
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

}  // namespace cs
