#pragma once
// The formats a model runs in. Weights set the bytes read per parameter, compute the tensor-core
// peak, the KV cache its bytes per token, activations the bytes between kernels. "fp8" serving
// means fp8 weights, fp8 GEMMs and (usually) an fp8 KV cache; int4 weight-only quantization
// (AWQ, GPTQ) reads 4-bit weights but widens them to bf16 before multiplying, so it keeps the
// bf16 peak, activations and KV.
#include "sim/hardware/dtype.hpp"

namespace cs {

struct ModelPrecision {
  Dtype weights = Dtype::kBf16;
  Dtype compute = Dtype::kBf16;
  Dtype kv_cache = Dtype::kBf16;
  Dtype activations = Dtype::kBf16;
};

// Bytes of one logit, whatever the model's formats: serving engines hand fp32 logits to the
// sampler (vLLM's sampler casts them to float; TensorRT-LLM's logits_dtype defaults to float32),
// and training computes the cross-entropy loss on fp32 logits (Korthikanti et al. 2022,
// "Reducing Activation Recomputation in Large Transformer Models", §4: 4·s·b·v/t bytes).
inline constexpr double kLogitBytes = 4;

// The usual recipe for serving in `d`: 16- and 32-bit run everything in d; fp8 and int8 are
// W8A8 with an 8-bit KV cache; int4 is weight-only (bf16 compute, activations and KV).
ModelPrecision precision_for(Dtype d);

}  // namespace cs
