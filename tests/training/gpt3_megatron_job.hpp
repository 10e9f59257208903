// GPT-3 175B as Narayanan et al. (SC'21, arXiv:2104.04473) trained it on 1,024 A100s: the job
// of configs/scenarios/gpt3_175b_calibration.yaml, shared by the iteration and recipe tests.
#pragma once

#include "sim/llm/model_precision.hpp"
#include "sim/training/training_job_spec.hpp"
#include "tests/llm/catalog_fixture.hpp"

namespace cs::testing {

inline TrainingJobSpec gpt3_175b_megatron() {
  TrainingJobSpec s;
  s.name = "gpt-3-175b";
  s.model = testing::model("gpt-3-175b");
  s.model.vocab = 51200;  // Megatron pads the 50,257-token vocabulary to a multiple of 1024
  s.gpu = testing::gpu("a100-80gb-sxm");
  s.precision = precision_for(Dtype::kBf16);
  s.global_batch_sequences = 1536;
  s.sequence_length = 2048;
  s.token_budget = 300e9;
  s.parallel.tp = 8;
  s.parallel.pp = 8;
  s.parallel.dp = 16;
  s.parallel.micro_batch_size = 1;
  s.parallel.virtual_stages = 2;
  s.parallel.zero_stage = 0;
  s.parallel.recompute_activations = true;
  s.parallel.overlap_dp_communication = false;  // Megatron-LM 2021 reduced after the flush
  s.flash_attention = false;
  return s;
}

}  // namespace cs::testing
