#include "sim/llm/model_precision.hpp"

namespace cs {

ModelPrecision precision_for(Dtype d) {
  ModelPrecision p{d, d, d, d};
  if (d == Dtype::kTf32) p.weights = p.kv_cache = p.activations = Dtype::kFp32;
  if (d == Dtype::kInt4) p.compute = p.kv_cache = p.activations = Dtype::kBf16;
  return p;
}

}  // namespace cs
