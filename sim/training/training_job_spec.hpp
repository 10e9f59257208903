#pragma once
// A training job as the models see it: what is trained (model, formats), on how much data
// (global batch, sequence length, token budget), and how it is split over GPUs. Plain data;
// sim/scenario fills it, the iteration model times it, the cluster scheduler places it.
#include <string>

#include "sim/hardware/gpu_spec.hpp"
#include "sim/llm/model_precision.hpp"
#include "sim/llm/transformer_spec.hpp"

namespace cs {

struct TrainingParallelism {
  int tp = 1;                // tensor parallel: inside one NVLink domain
  int pp = 1;                // pipeline stages: across nodes
  int dp = 1;                // data-parallel replicas: across the rest
  int micro_batch_size = 1;  // sequences per micro-batch
  // Interleaved 1F1B (Narayanan et al., SC'21): model chunks per GPU; the bubble shrinks by
  // this factor at the price of that many times more stage-to-stage transfers. 1: plain 1F1B.
  int virtual_stages = 1;
  int zero_stage = 1;                    // 0-3 (ZeRO, Rajbhandari et al. 2020)
  bool recompute_activations = false;    // one more forward per micro-batch in the backward
  // Selective recomputation (Korthikanti et al. 2022): only the core attention (QK^T, softmax,
  // dropout, AV) is recomputed in the backward; no TP collective is repeated.
  bool selective_recompute = false;
  // Sequence parallelism (Korthikanti et al. 2022): each TP all-reduce becomes a reduce-scatter
  // + all-gather of the same activations, and norms, dropouts and residuals run on 1/tp of the
  // sequence.
  bool sequence_parallel = false;
  // TP communication overlapped with the GEMMs next to it (Transformer Engine userbuffers):
  // per layer and pass only max(0, TP time - GEMM time) is exposed.
  bool tp_comm_overlap = false;
  bool overlap_dp_communication = true;  // gradient reduction runs behind the backward pass
  // Context parallelism (Megatron-LM / Transformer Engine ring attention): each sequence is
  // split over cp ranks; K and V chunks circulate around the cp ranks during attention. The cp
  // ranks of a replica hold the same weights, so gradients are reduced over dp x cp.
  int cp = 1;
  // Expert parallelism for MoE models: each MoE layer's experts spread over ep ranks taken
  // from dp (the same stage and TP index in ep consecutive replicas); tokens reach their
  // experts by an all-to-all (dispatch) and come back by another (combine).
  int ep = 1;
  // Routing skew (GShard / Switch Transformer capacity factor): the busiest expert rank
  // processes and receives up to this many times the mean tokens, and every rank waits for it
  // at the combine. 1: perfectly balanced routing.
  double moe_capacity_factor = 1;

  int gpus() const { return tp * cp * pp * dp; }
};

struct TrainingJobSpec {
  std::string name;
  TransformerSpec model;
  GpuSpec gpu;
  ModelPrecision precision;        // mixed precision: bf16 compute, fp32 master weights in the optimizer
  int global_batch_sequences = 0;  // sequences per optimizer step, all DP ranks together
  int sequence_length = 0;         // tokens per sequence
  double token_budget = 0;         // tokens to train on
  TrainingParallelism parallel;
  // Fused attention that never writes the s x s score matrix to HBM (FlashAttention, Dao et
  // al. 2022). false: scores, softmax and dropout go through HBM (Megatron-LM before 2022).
  bool flash_attention = true;
  // Format of the gradient buffer that micro-batches accumulate into and that the DP reduction
  // moves. fp32: Megatron-LM's main_grad, which it forces for bf16 training
  // (accumulate_allreduce_grads_in_fp32) so that many small updates do not round away.
  Dtype gradient_dtype = Dtype::kFp32;

  // Micro-batches each pipeline runs per iteration: global batch / (micro-batch size x dp).
  int micro_batches() const { return global_batch_sequences / (parallel.micro_batch_size * parallel.dp); }
  double tokens_per_iteration() const {
    return static_cast<double>(global_batch_sequences) * static_cast<double>(sequence_length);
  }
  double iterations() const { return token_budget / tokens_per_iteration(); }
};

}  // namespace cs
